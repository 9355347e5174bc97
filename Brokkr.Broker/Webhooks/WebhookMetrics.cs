using System.Diagnostics.Metrics;
using Brokkr.Broker.Metrics;

namespace Brokkr.Broker.Webhooks;

/// <summary>
/// Webhook metrics, each label a fixed set: attempts by outcome and path, decryption failures by field and path, and
/// the queue gauges (refreshed by the delivery worker each tick; every replica reports the same queue, so take max()).
/// </summary>
public sealed class WebhookMetrics
{
    public static readonly string[] Outcomes = ["success", "retry", "dead"];
    public static readonly string[] Paths = ["broker", "agent"];
    public static readonly string[] Fields = ["url", "auth_header"];

    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _decryptFailures;
    private long _depth;
    private double _oldestAge;

    public WebhookMetrics(BrokerMeter meter)
    {
        var m = meter.Meter;
        _deliveries = m.CreateCounter<long>("brokkr_webhook_deliveries_total",
            description: "Webhook delivery attempts by outcome (success, retry, dead) and delivery path (broker, agent)");
        _decryptFailures = m.CreateCounter<long>("brokkr_webhook_decrypt_failures_total",
            description: "Stored webhook URLs or auth headers the broker's key could not decrypt, by field and delivery path");
        m.CreateObservableGauge("brokkr_webhook_queue_depth", () => Interlocked.Read(ref _depth),
            description: "Webhook deliveries not yet delivered or dead-lettered (pending, failed awaiting retry, in flight)");
        m.CreateObservableGauge("brokkr_webhook_queue_oldest_age_seconds", () => Volatile.Read(ref _oldestAge), unit: "s",
            description: "Age of the oldest webhook delivery not yet delivered or dead-lettered; 0 when the queue is empty");
        foreach (var path in Paths)
        {
            foreach (var outcome in Outcomes)
            {
                _deliveries.Add(0, Tag("outcome", outcome), Tag("path", path));
            }
            foreach (var field in Fields)
            {
                _decryptFailures.Add(0, Tag("field", field), Tag("path", path));
            }
        }
    }

    /// <param name="status">The delivery's new status: success, failed (a retry follows) or dead.</param>
    public void Attempted(string status, string path) =>
        _deliveries.Add(1, Tag("outcome", status switch { "success" => "success", "dead" => "dead", _ => "retry" }), Tag("path", path));

    public void DecryptFailed(string field, string path) => _decryptFailures.Add(1, Tag("field", field), Tag("path", path));

    public void Queue(long depth, double oldestAgeSeconds)
    {
        Interlocked.Exchange(ref _depth, depth);
        Volatile.Write(ref _oldestAge, oldestAgeSeconds);
    }

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);
}
