using System.Collections.Concurrent;
using Brokkr.Broker;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Brokkr.Tests.Webhooks;

/// <summary>
/// The broker's startup checks of its webhook settings, each against its own database: a key that is missing, malformed
/// or not the one the stored subscriptions were written with stops startup with a message naming the setting, leaving
/// the stored ciphertext untouched; a key rotation through the previous keys re-encrypts every subscription.
/// </summary>
public sealed class WebhookStartupTests : IAsyncLifetime
{
    private const string KeySetting = "BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY";
    private const string NewKey = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
    private const string UrlSecret = "startup-url-secret-41c7";
    private const string HeaderSecret = "Bearer startup-header-secret-9e02";

    private readonly PostgresDatabaseFixture _database = new();
    private readonly ConcurrentQueue<string> _logs = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task Without_a_key_the_broker_starts_only_while_no_subscription_exists_and_refuses_to_store_one()
    {
        await using (var broker = await StartAsync(key: null))
        {
            await broker.Admin.Send("POST", "/webhooks", new { name = "x", url = "https://hooks.example.com/" + UrlSecret, event_types = new[] { "*" } })
                .ExpectError(503, "webhook_encryption_key_unset");
        }
        Assert.Empty(await StoredAsync());

        await CreateSubscriptionAsync(WebhookBroker.Key);
        var stored = await StoredAsync();
        var error = await StartFailsAsync(key: null);
        Assert.Contains(KeySetting, error);
        Assert.Contains("1 webhook subscription(s) exist", error);
        Assert.Equal(stored, await StoredAsync());
        AssertNoSecretInLogs();
    }

    [Fact]
    public async Task A_malformed_key_or_previous_key_stops_startup_naming_the_setting_even_with_no_subscriptions()
    {
        foreach (var malformed in new[] { "not-hex-at-all", WebhookBroker.Key[..62], WebhookBroker.Key + "00" })
        {
            var error = await StartFailsAsync(malformed);
            Assert.Contains(KeySetting + " must be 64 hex characters", error);
            Assert.DoesNotContain(malformed, error);
        }
        var previous = await StartFailsAsync(WebhookBroker.Key, previousKeys: ["xyz"]);
        Assert.Contains("BROKKR__BROKER__WEBHOOK_ENCRYPTION_PREVIOUS_KEYS must be 64 hex characters", previous);
    }

    [Fact]
    public async Task A_key_that_cannot_open_the_stored_subscriptions_stops_startup_and_changes_nothing()
    {
        await CreateSubscriptionAsync(WebhookBroker.Key);
        var stored = await StoredAsync();

        var error = await StartFailsAsync(NewKey);
        Assert.Contains(KeySetting + " does not decrypt 1 of 1 webhook subscription(s)", error);
        Assert.Contains("BROKKR__BROKER__WEBHOOK_ENCRYPTION_PREVIOUS_KEYS", error);
        Assert.Equal(stored, await StoredAsync());
        // The right key still opens them: the failed start destroyed nothing.
        await using var broker = await StartAsync(WebhookBroker.Key);
        AssertNoSecretInLogs();
    }

    [Fact]
    public async Task Rotating_through_the_previous_keys_re_encrypts_every_subscription_under_the_new_key()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var path = $"/ok/rotated/{UrlSecret}";
        var subscription = await CreateSubscriptionAsync(WebhookBroker.Key, receiver.Url(path));
        var before = await StoredAsync();

        await using (var rotated = await StartAsync(NewKey, previousKeys: [WebhookBroker.Key]))
        {
            Assert.Contains(_logs, l => l.Contains("Re-encrypted 1 webhook subscription(s)"));
            await rotated.Admin.Send("POST", $"/webhooks/{subscription}/test").Expect(200);
        }
        var after = await StoredAsync();
        Assert.NotEqual(before.Single().Url, after.Single().Url);
        Assert.NotEqual(before.Single().Header, after.Single().Header);

        // Now under the new key alone: it starts and sends without the old key; the old key alone no longer opens them.
        await using (var current = await StartAsync(NewKey))
        {
            await current.Admin.Send("POST", $"/webhooks/{subscription}/test").Expect(200);
        }
        Assert.Contains(KeySetting + " does not decrypt", await StartFailsAsync(WebhookBroker.Key));
        Assert.Equal(2, receiver.At(path).Count(r => r.Headers["Authorization"] == HeaderSecret));
        Assert.Equal(after, await StoredAsync());
        AssertNoSecretInLogs();
    }

    [Fact]
    public async Task A_claim_margin_too_short_to_outlast_the_http_timeout_stops_startup()
    {
        var error = await StartFailsAsync(WebhookBroker.Key, extra: new() { ["Brokkr:Broker:webhook_claim_margin_seconds"] = "4" });
        Assert.Contains("BROKKR__BROKER__WEBHOOK_CLAIM_MARGIN_SECONDS must be at least 5", error);
        await using var broker = await StartAsync(WebhookBroker.Key, extra: new() { ["Brokkr:Broker:webhook_claim_margin_seconds"] = "5" });
    }

    private async Task<Guid> CreateSubscriptionAsync(string key, string? url = null)
    {
        await using var broker = await StartAsync(key);
        return (await broker.Admin.Send("POST", "/webhooks", new
        {
            name = Fleet.Unique("startup"), url = url ?? "https://hooks.example.com/" + UrlSecret, auth_header = HeaderSecret,
            event_types = new[] { "stack.created" },
        }).Expect(201)).Id();
    }

    /// <summary>Every subscription's stored ciphertext; asserts neither secret is there in clear.</summary>
    private async Task<List<(string Url, string Header)>> StoredAsync()
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand(
            "SELECT encode(url_encrypted, 'escape'), encode(auth_header_encrypted, 'escape'), t::text FROM webhook_subscriptions t ORDER BY id",
            connection);
        var rows = new List<(string, string)>();
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var (url, header, row) = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
            foreach (var text in new[] { url, header, row })
            {
                Assert.DoesNotContain(UrlSecret, text);
                Assert.DoesNotContain("startup-header-secret", text);
            }
            rows.Add((url, header));
        }
        return rows;
    }

    private void AssertNoSecretInLogs()
    {
        Assert.NotEmpty(_logs);
        Assert.DoesNotContain(_logs, l => l.Contains(UrlSecret) || l.Contains("startup-header-secret"));
    }

    private async Task<string> StartFailsAsync(string? key, string[]? previousKeys = null, Dictionary<string, string?>? extra = null)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await (await StartAsync(key, previousKeys, extra)).DisposeAsync());
        return error.ToString();
    }

    private async Task<Running> StartAsync(string? key, string[]? previousKeys = null, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["ConnectionStrings:brokkr"] = _database.ConnectionString,
            ["Logging:LogLevel:Default"] = "Information",
            ["Brokkr:Broker:webhook_encryption_key"] = key,
        };
        foreach (var (index, previous) in (previousKeys ?? []).Index())
        {
            settings[$"Brokkr:Broker:webhook_encryption_previous_keys:{index}"] = previous;
        }
        foreach (var (name, value) in extra ?? [])
        {
            settings[name] = value;
        }
        var builder = BrokerApp.CreateBuilder([], settings);
        builder.Logging.AddProvider(new CapturingLoggerProvider(_logs));
        var app = BrokerApp.Build(builder);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var admin = new HttpClient { BaseAddress = address };
        admin.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + BrokerHost.DevAdminPak);
        return new Running(app, admin);
    }

    private sealed record Running(WebApplication App, HttpClient Admin) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Admin.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
