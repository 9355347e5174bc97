using Brokkr.ServiceDefaults.Webhooks;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Webhooks;

/// <summary>
/// Sends the broker's share of the delivery queue. Each tick it claims at most as many rows as it has free slots
/// (<c>webhook_delivery_concurrency</c>) and sends them concurrently, each bounded by its subscription's timeout and
/// ending before its claim does (<see cref="WebhookLease"/>), so a slow or dead receiver holds one slot and never the
/// worker, and no other sender claims a delivery while its POST is in flight. A finished delivery frees its slot at once. Several
/// replicas run this side by side: claims skip rows another holds. Also refreshes the queue gauges and purges
/// finished deliveries past retention.
/// </summary>
public sealed class WebhookDeliveryWorker(WebhookQueue queue, WebhookSecrets secrets, WebhookMetrics metrics,
    IOptionsMonitor<WebhookOptions> options, TimeProvider time, ILogger<WebhookDeliveryWorker> logger) : BackgroundService
{
    public const string Path = "broker";
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);

    private readonly HttpClient _client = WebhookPoster.CreateClient();
    private readonly SemaphoreSlim _slotFreed = new(0);
    private int _inFlight;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var concurrency = Math.Max(1, options.CurrentValue.DeliveryConcurrency);
        var lastStats = DateTimeOffset.MinValue;
        var lastPurge = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Read at every tick: a configuration reload changes the interval, batch size and retention at once.
            var settings = options.CurrentValue;
            var interval = TimeSpan.FromSeconds(Math.Max(0.05, settings.DeliveryIntervalSeconds));
            try
            {
                var free = concurrency - Volatile.Read(ref _inFlight);
                if (free > 0)
                {
                    var claimedFrom = time.GetTimestamp();
                    foreach (var delivery in await queue.ClaimForBrokerAsync(Math.Min(free, Math.Max(1, settings.DeliveryBatchSize)), stoppingToken))
                    {
                        Interlocked.Increment(ref _inFlight);
                        _ = Task.Run(() => DeliverAsync(delivery, claimedFrom, stoppingToken), CancellationToken.None);
                    }
                }
                var now = time.GetUtcNow();
                if (now - lastStats >= interval)
                {
                    var (depth, age) = await queue.StatsAsync(stoppingToken);
                    metrics.Queue(depth, age);
                    lastStats = now;
                }
                if (settings.DeliveryRetentionDays > 0 && now - lastPurge >= PurgeInterval)
                {
                    await queue.PurgeAsync(now.UtcDateTime.AddDays(-settings.DeliveryRetentionDays), stoppingToken);
                    lastPurge = now;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Webhook delivery tick failed; retrying at the next tick");
            }
            try
            {
                await _slotFreed.WaitAsync(interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <param name="claimedFrom">A timestamp from just before the claim: the claim ends no earlier than it plus the lease.</param>
    private async Task DeliverAsync(ClaimedDelivery delivery, long claimedFrom, CancellationToken stoppingToken)
    {
        try
        {
            WebhookAttempt attempt;
            var opened = secrets.Open(delivery.SubscriptionId, delivery.UrlEncrypted, delivery.AuthHeaderEncrypted, Path, out var decryptError);
            if (opened is { } secret)
            {
                if (WebhookLease.AttemptTimeout(delivery.TimeoutSeconds, options.CurrentValue.ClaimMarginSeconds, time.GetElapsedTime(claimedFrom))
                    is not { } timeout)
                {
                    // Sending now could outlast the claim and race a second sender; the claim expires and it is sent then.
                    logger.LogWarning("Webhook delivery {DeliveryId} was not sent: its claim was nearly over before the send could start", delivery.Id);
                    return;
                }
                attempt = await WebhookPoster.SendAsync(_client, new WebhookMessage(delivery.Id, delivery.EventType, delivery.Payload,
                    secret.Url, secret.AuthHeader, timeout), time, stoppingToken);
            }
            else
            {
                attempt = new WebhookAttempt(false, null, decryptError, 0);
            }
            var status = await queue.RecordAsync(delivery.Id, null, attempt.Success, attempt.StatusCode, attempt.Error,
                terminal: opened is null, options.CurrentValue.RetryBaseSeconds, CancellationToken.None);
            if (status is null)
            {
                return;
            }
            metrics.Attempted(status, Path);
            if (!attempt.Success)
            {
                logger.Log(status == "dead" ? LogLevel.Warning : LogLevel.Information,
                    "Webhook delivery {DeliveryId} ({EventType}) of subscription {SubscriptionId} failed attempt {Attempt}: {Error}; now {Status}",
                    delivery.Id, delivery.EventType, delivery.SubscriptionId, delivery.Attempts + 1, attempt.Error, status);
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Unrecorded: the claim expires and the delivery is tried again.
            logger.LogWarning(e, "Webhook delivery {DeliveryId} could not be recorded; it is retried when its claim expires", delivery.Id);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the claim expires and another broker (or this one, restarted) sends it.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _slotFreed.Release();
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        _slotFreed.Dispose();
        base.Dispose();
    }
}
