using System.Diagnostics.Metrics;
using Brokkr.Agent.WorkOrders;

namespace Brokkr.Agent.Metrics;

/// <summary>
/// The agent's work-order families (docs/monitoring.md). Their Kubernetes calls are counted by
/// <c>brokkr_agent_kubernetes_operations_total</c> like every other call; these say what the orders came to.
/// </summary>
public sealed class WorkOrderMetrics
{
    public const string Claimed = "claimed";
    public const string Lost = "lost";
    public static readonly string[] ClaimResults = [Claimed, Lost];

    private readonly Counter<long> _claims;
    private readonly Counter<long> _completed;
    private readonly Histogram<double> _duration;
    private int _inProgress;

    public WorkOrderMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(AgentMetrics.MeterName);
        _claims = meter.CreateCounter<long>("brokkr_agent_work_order_claims_total",
            description: "Work-order claims attempted, by result: claimed, or lost to another agent.");
        _completed = meter.CreateCounter<long>("brokkr_agent_work_orders_completed_total",
            description: "Work orders run to an outcome, by result: success, failure, retryable_failure, timeout (Job still running at the watch window's end).");
        _duration = meter.CreateHistogram("brokkr_agent_work_order_duration_seconds", "s",
            "Time from claim to outcome of one work order.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 5, 15, 30, 60, 300, 900, 1800, 3600] });
        meter.CreateObservableGauge("brokkr_agent_work_orders_in_progress", () => Volatile.Read(ref _inProgress),
            description: "Work orders this agent is running now (0 or 1).");
        foreach (var result in ClaimResults) _claims.Add(0, new KeyValuePair<string, object?>("result", result));
        foreach (var result in WorkOrderOutcome.Results) _completed.Add(0, new KeyValuePair<string, object?>("result", result));
    }

    public void Claim(string result) => _claims.Add(1, new KeyValuePair<string, object?>("result", result));

    public void Started() => Interlocked.Increment(ref _inProgress);

    public void Stopped() => Interlocked.Decrement(ref _inProgress);

    public void Completed(string result, TimeSpan duration)
    {
        _completed.Add(1, new KeyValuePair<string, object?>("result", result));
        _duration.Record(duration.TotalSeconds);
    }
}
