using System.Diagnostics.Metrics;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Reconcile;

namespace Brokkr.Agent.Metrics;

/// <summary>
/// The agent's Prometheus families (issue 6, docs/monitoring.md "Agent families"). Instrument names are the exact
/// family names. Every labelled counter series with a fixed label set is created at zero on startup, so alerts and
/// rate() see a series before the first event; histograms appear with their first observation (an SDK histogram has
/// no points until then). No label carries an agent, stack or object id: one agent is one scrape target.
/// </summary>
public sealed class AgentMetrics : IKubernetesOperationObserver, IReconcileObserver
{
    public const string MeterName = "Brokkr.Agent";
    public static readonly string[] PollResults = ["success", "empty", "error"];
    public static readonly string[] KubernetesOperations = ["apply", "delete", "get", "list", "discovery"];
    public static readonly string[] OperationResults = ["success", "error"];
    public static readonly string[] ReconcileActionNames =
        [ReconcileActions.Applied, ReconcileActions.Unchanged, ReconcileActions.Pruned, ReconcileActions.Failed];

    private readonly Counter<long> _polls;
    private readonly Histogram<double> _pollDuration;
    private readonly Counter<long> _kubernetesOperations;
    private readonly Histogram<double> _kubernetesDuration;
    private readonly Counter<long> _heartbeats;
    private readonly Counter<long> _reconcileObjects;
    private double _lastSuccessfulPoll;

    public AgentMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _polls = meter.CreateCounter<long>("brokkr_agent_poll_requests_total",
            description: "Target-state polls of the broker, by result: success (objects received), empty, error.");
        _pollDuration = meter.CreateHistogram("brokkr_agent_poll_duration_seconds", "s",
            "Duration of one target-state poll.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _kubernetesOperations = meter.CreateCounter<long>("brokkr_agent_kubernetes_operations_total",
            description: "Calls to the Kubernetes API, by operation and result.");
        _kubernetesDuration = meter.CreateHistogram("brokkr_agent_kubernetes_operation_duration_seconds", "s",
            "Duration of one Kubernetes API call.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _heartbeats = meter.CreateCounter<long>("brokkr_agent_heartbeat_sent_total",
            description: "Heartbeat attempts, failed ones included.");
        meter.CreateObservableGauge("brokkr_agent_last_successful_poll_timestamp_seconds",
            () => Volatile.Read(ref _lastSuccessfulPoll), "s",
            "Unix time of the last successful target-state poll; 0 until the first one.");
        _reconcileObjects = meter.CreateCounter<long>("brokkr_agent_reconcile_objects_total",
            description: "Objects handled by the reconciler, by action: applied, unchanged, pruned, failed.");

        foreach (var result in PollResults)
        {
            _polls.Add(0, new KeyValuePair<string, object?>("result", result));
        }

        foreach (var operation in KubernetesOperations)
        {
            foreach (var result in OperationResults)
            {
                _kubernetesOperations.Add(0, Operation(operation), Result(result));
            }
        }

        foreach (var action in ReconcileActionNames)
        {
            _reconcileObjects.Add(0, new KeyValuePair<string, object?>("action", action));
        }

        _heartbeats.Add(0);
    }

    /// <summary>One target-state poll; <paramref name="objectCount"/> null when it failed.</summary>
    public void OnPoll(int? objectCount, TimeSpan duration, DateTimeOffset now)
    {
        var result = objectCount switch { null => "error", 0 => "empty", _ => "success" };
        _polls.Add(1, new KeyValuePair<string, object?>("result", result));
        _pollDuration.Record(duration.TotalSeconds);
        if (objectCount is not null)
        {
            Volatile.Write(ref _lastSuccessfulPoll, now.ToUnixTimeMilliseconds() / 1000.0);
        }
    }

    public void OnHeartbeatAttempt() => _heartbeats.Add(1);

    public void OnOperation(string operation, bool succeeded, TimeSpan duration)
    {
        _kubernetesOperations.Add(1, Operation(operation), Result(succeeded ? "success" : "error"));
        _kubernetesDuration.Record(duration.TotalSeconds, Operation(operation));
    }

    public void OnObject(string action) => _reconcileObjects.Add(1, new KeyValuePair<string, object?>("action", action));

    private static KeyValuePair<string, object?> Operation(string operation) => new("operation", operation);

    private static KeyValuePair<string, object?> Result(string result) => new("result", result);
}
