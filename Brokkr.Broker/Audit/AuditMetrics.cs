using System.Diagnostics.Metrics;
using Brokkr.Broker.Metrics;

namespace Brokkr.Broker.Audit;

/// <summary>The audit trail's health: entries waiting, written, and lost (queue full, a batch the database refused, 401s past an address's budget).</summary>
public sealed class AuditMetrics
{
    public static readonly string[] DropReasons = ["queue_full", "write_failed", "rate_limited"];

    private readonly Counter<long> _written;
    private readonly Counter<long> _dropped;

    public AuditMetrics(BrokerMeter meter, AuditQueue queue)
    {
        var m = meter.Meter;
        _written = m.CreateCounter<long>("brokkr_audit_entries_written_total", description: "Audit entries written to the database");
        _dropped = m.CreateCounter<long>("brokkr_audit_entries_dropped_total",
            description: "Audit entries lost, by reason: queue_full (the in-memory queue was full), write_failed (the database refused the batch) or rate_limited (auth.failed past one address's budget)");
        m.CreateObservableGauge("brokkr_audit_queue_depth", () => (long)queue.Depth,
            description: "Audit entries waiting in this broker's in-memory queue to be written");
        _written.Add(0);
        foreach (var reason in DropReasons)
        {
            _dropped.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }
        queue.Dropped += () => Dropped("queue_full", 1);
    }

    public void Written(int count) => _written.Add(count);

    public void Dropped(string reason, int count) => _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));
}
