using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Webhooks;

/// <summary>
/// Startup check of the webhook encryption key, after migrations: a broker whose key cannot open the stored
/// subscriptions refuses to start, naming the setting — rather than start and dead-letter every delivery. With no
/// key configured and no subscriptions it starts (webhook writes then answer 503 until a key is set). Subscriptions
/// still under a previous key (<c>webhook_encryption_previous_keys</c>) are re-encrypted under the current one.
/// </summary>
public sealed class WebhookKeyCheck(IServiceScopeFactory scopes, WebhookCipher cipher, ILogger<WebhookKeyCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Locked, so two replicas rotating at once do not both rewrite a row.
        var subscriptions = await db.WebhookSubscriptions.FromSqlRaw("SELECT * FROM webhook_subscriptions FOR UPDATE")
            .ToListAsync(cancellationToken);
        if (subscriptions.Count == 0)
        {
            return;
        }
        if (!cipher.HasKey)
        {
            throw new InvalidOperationException(
                $"{WebhookCipher.KeySetting} is not set, but {subscriptions.Count} webhook subscription(s) exist whose URLs and auth headers " +
                "are encrypted with it. Set it to the key they were created with (see docs/webhooks.md, \"Encryption key\").");
        }
        var unreadable = 0;
        var rotated = 0;
        foreach (var subscription in subscriptions)
        {
            var url = cipher.TryDecrypt(subscription.UrlEncrypted, subscription.Id, WebhookSecrets.UrlField);
            var header = subscription.AuthHeaderEncrypted is { } h ? cipher.TryDecrypt(h, subscription.Id, WebhookSecrets.AuthHeaderField) : null;
            if (url is null || (subscription.AuthHeaderEncrypted is not null && header is null))
            {
                unreadable++;
                continue;
            }
            if (!url.Value.Current || header is { Current: false })
            {
                subscription.UrlEncrypted = cipher.Encrypt(url.Value.Plaintext, subscription.Id, WebhookSecrets.UrlField);
                if (header is { } opened)
                {
                    subscription.AuthHeaderEncrypted = cipher.Encrypt(opened.Plaintext, subscription.Id, WebhookSecrets.AuthHeaderField);
                }
                rotated++;
            }
        }
        if (unreadable > 0)
        {
            throw new InvalidOperationException(
                $"{WebhookCipher.KeySetting} does not decrypt {unreadable} of {subscriptions.Count} webhook subscription(s): it is not the key " +
                "they were created with. Set that key (a key being rotated away from goes in BROKKR__BROKER__WEBHOOK_ENCRYPTION_PREVIOUS_KEYS), " +
                "or delete and recreate those subscriptions (see docs/webhooks.md).");
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (rotated > 0)
        {
            logger.LogInformation("Re-encrypted {Count} webhook subscription(s) under the current webhook encryption key", rotated);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
