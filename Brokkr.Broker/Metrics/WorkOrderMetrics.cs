using System.Diagnostics.Metrics;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// Work-order metrics. Counters start at zero for every value of their fixed label sets; the queue gauges read the
/// snapshot <see cref="Startup.WorkOrderMaintenance"/> takes each tick, the oldest pending age computed at scrape time.
/// </summary>
public sealed class WorkOrderMetrics
{
    public const string Claimed = "claimed";
    public const string Conflict = "conflict";
    public static readonly string[] ClaimResults = [Claimed, Conflict];

    public const string Success = "success";
    public const string Failure = "failure";
    public const string Retry = "retry";
    public static readonly string[] Outcomes = [Success, Failure, Retry];

    public static readonly string[] Statuses = [Data.WorkOrder.Pending, Data.WorkOrder.Claimed, Data.WorkOrder.RetryPending];

    private readonly Counter<long> _created;
    private readonly Counter<long> _claims;
    private readonly Counter<long> _completions;
    private readonly Counter<long> _staleReleased;
    private readonly TimeProvider _time;
    private volatile Snapshot _queue = new(new Dictionary<string, long>(), null);

    /// <summary>Queue sizes by status and the oldest claimable order's creation time, as of the last maintenance tick.</summary>
    public sealed record Snapshot(IReadOnlyDictionary<string, long> ByStatus, DateTime? OldestPendingCreatedAt);

    public WorkOrderMetrics(BrokerMeter meter, TimeProvider time)
    {
        _time = time;
        var m = meter.Meter;
        _created = m.CreateCounter<long>("brokkr_work_orders_created_total", description: "Work orders created through the API");
        _claims = m.CreateCounter<long>("brokkr_work_order_claims_total",
            description: "Claim attempts on claimable-looking work orders, by result (claimed, or conflict: another agent won)");
        _completions = m.CreateCounter<long>("brokkr_work_order_completions_total",
            description: "Completions reported by agents, by outcome (success, failure archived, retry scheduled)");
        _staleReleased = m.CreateCounter<long>("brokkr_work_order_stale_claims_released_total",
            description: "Claims released back to PENDING after their claim timeout");
        m.CreateObservableGauge("brokkr_work_orders_queued", QueueSizes, description: "Work orders in the queue, by status");
        m.CreateObservableGauge("brokkr_work_order_oldest_pending_age_seconds", OldestPendingAge, "s",
            "Age of the oldest PENDING work order (0 when none waits)");

        _created.Add(0);
        _staleReleased.Add(0);
        foreach (var result in ClaimResults) _claims.Add(0, new KeyValuePair<string, object?>("result", result));
        foreach (var outcome in Outcomes) _completions.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void Created() => _created.Add(1);

    /// <param name="result">One of <see cref="ClaimResults"/>.</param>
    public void Claim(string result) => _claims.Add(1, new KeyValuePair<string, object?>("result", result));

    /// <param name="outcome">One of <see cref="Outcomes"/>.</param>
    public void Completed(string outcome) => _completions.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void StaleClaimsReleased(int count) => _staleReleased.Add(count);

    public void Observe(Snapshot snapshot) => _queue = snapshot;

    private IEnumerable<Measurement<long>> QueueSizes()
    {
        var queue = _queue;
        foreach (var status in Statuses)
        {
            yield return new Measurement<long>(queue.ByStatus.GetValueOrDefault(status),
                new KeyValuePair<string, object?>("status", status));
        }
    }

    private double OldestPendingAge() =>
        _queue.OldestPendingCreatedAt is { } oldest ? Math.Max(0, (_time.GetUtcNow().UtcDateTime - oldest).TotalSeconds) : 0;
}
