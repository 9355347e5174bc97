using Brokkr.Agent.Broker;
using Brokkr.ServiceDefaults.Webhooks;

namespace Brokkr.Agent.Runtime;

/// <summary>
/// Agent-side webhook delivery, for receivers only reachable inside the cluster: each tick claims the deliveries
/// whose target labels this agent carries, sends each in the background (so a slow receiver never holds up the
/// control loop) and reports every attempt's result; the broker decides on retries and dead letters. A claim the
/// agent never reports (it died) expires on the broker and is claimed again.
/// </summary>
public sealed class WebhookRelay(BrokerClient broker, TimeProvider time, ILogger<WebhookRelay> log) : IDisposable
{
    /// <summary>Claimed deliveries in flight beyond which the agent claims no more.</summary>
    private const int MaxInFlight = 10;

    private readonly HttpClient _client = WebhookPoster.CreateClient();
    private int _inFlight;

    public async Task RunAsync(AgentRecord self, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _inFlight) >= MaxInFlight)
        {
            return;
        }
        List<PendingWebhook> pending;
        try
        {
            pending = await broker.GetPendingWebhooksAsync(self.Id, cancellationToken) ?? [];
        }
        catch (Exception e) when (e is BrokerUnreachableException or BrokerApiException)
        {
            log.LogWarning("Fetching pending webhook deliveries failed: {Error}", e.Message);
            return;
        }
        foreach (var delivery in pending)
        {
            Interlocked.Increment(ref _inFlight);
            _ = Task.Run(() => SendAsync(delivery, cancellationToken), CancellationToken.None);
        }
    }

    private async Task SendAsync(PendingWebhook delivery, CancellationToken cancellationToken)
    {
        try
        {
            var attempt = await WebhookPoster.SendAsync(_client, new WebhookMessage(delivery.Id, delivery.EventType, delivery.Payload,
                delivery.Url, delivery.AuthHeader, TimeSpan.FromSeconds(Math.Max(1, delivery.TimeoutSeconds))), time, cancellationToken);
            if (!attempt.Success)
            {
                log.LogInformation("Webhook delivery {DeliveryId} ({EventType}) failed: {Error}", delivery.Id, delivery.EventType, attempt.Error);
            }
            await broker.ReportWebhookResultAsync(delivery.Id,
                new WebhookResultReport(attempt.Success, attempt.StatusCode, attempt.Error, attempt.DurationMs), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            log.LogWarning("Reporting webhook delivery {DeliveryId} failed: {Error}; the broker retries it when the claim expires",
                delivery.Id, e.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public void Dispose() => _client.Dispose();
}
