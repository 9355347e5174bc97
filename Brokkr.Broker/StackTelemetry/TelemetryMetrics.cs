using System.Diagnostics.Metrics;
using Brokkr.Broker.Metrics;

namespace Brokkr.Broker.StackTelemetry;

/// <summary>Why a telemetry frame was not kept: the <c>reason</c> label of <c>brokkr_ws_telemetry_dropped_total</c>.</summary>
public static class TelemetryDropReason
{
    /// <summary>The ingest queue was at its bound (the database is slower than the agents): dropped, never waited for.</summary>
    public const string QueueFull = "queue_full";

    /// <summary>The frame names another agent than the connection's PAK.</summary>
    public const string ForeignAgent = "foreign_agent";

    /// <summary>The agent is not associated with the stack and applied nothing of it.</summary>
    public const string NotAssociated = "not_associated";

    /// <summary>A field is empty or over its size bound.</summary>
    public const string Invalid = "invalid";

    /// <summary>The database refused the batch; its frames are not retried.</summary>
    public const string WriteFailed = "write_failed";

    public static readonly string[] All = [QueueFull, ForeignAgent, NotAssociated, Invalid, WriteFailed];
}

/// <summary>
/// The telemetry half of the channel's families: upstream's eviction and live-subscriber names, plus what it lacks
/// (rows written, frames dropped by reason, live frames a slow subscriber missed). No per-stack or per-agent labels.
/// </summary>
public sealed class TelemetryMetrics
{
    public const string EventsTable = "agent_k8s_events";
    public const string LogsTable = "agent_pod_logs";
    public const string StackStream = "stack";
    public const string FleetStream = "fleet";

    private readonly Counter<long> _written;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _evictionRuns;
    private readonly Counter<long> _evicted;
    private readonly Counter<long> _liveDropped;
    private int _stackSubscribers;
    private int _fleetSubscribers;

    public TelemetryMetrics(BrokerMeter meter, TelemetryQueue queue)
    {
        var m = meter.Meter;
        _written = m.CreateCounter<long>("brokkr_ws_telemetry_written_total",
            description: "Telemetry rows written by the batch writer, by table");
        _dropped = m.CreateCounter<long>("brokkr_ws_telemetry_dropped_total",
            description: "Telemetry frames from agents that were not kept, by reason");
        _evictionRuns = m.CreateCounter<long>("brokkr_ws_log_eviction_runs_total",
            description: "Eviction passes executed by the telemetry retention worker");
        _evicted = m.CreateCounter<long>("brokkr_ws_telemetry_evicted_total",
            description: "Telemetry rows evicted by the retention worker, by table");
        _liveDropped = m.CreateCounter<long>("brokkr_ws_live_frames_dropped_total",
            description: "Live-tail frames a slow subscriber's bounded queue refused, by stream");
        m.CreateObservableGauge("brokkr_ws_live_subscribers", () => Volatile.Read(ref _stackSubscribers),
            description: "Stack live-tail subscribers connected to this broker replica");
        m.CreateObservableGauge("brokkr_fleet_live_subscribers", () => Volatile.Read(ref _fleetSubscribers),
            description: "Fleet live-stream subscribers connected to this broker replica");
        m.CreateObservableGauge("brokkr_ws_telemetry_queue_depth", () => queue.Depth,
            description: "Telemetry frames waiting in this replica's ingest queue");
        foreach (var table in new[] { EventsTable, LogsTable })
        {
            _written.Add(0, Table(table));
            _evicted.Add(0, Table(table));
        }
        foreach (var reason in TelemetryDropReason.All)
        {
            _dropped.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }
        foreach (var stream in new[] { StackStream, FleetStream })
        {
            _liveDropped.Add(0, new KeyValuePair<string, object?>("stream", stream));
        }
        _evictionRuns.Add(0);
    }

    public int StackSubscribers => Volatile.Read(ref _stackSubscribers);

    public void Written(string table, int rows) => _written.Add(rows, Table(table));

    /// <param name="reason">One of <see cref="TelemetryDropReason.All"/>.</param>
    public void Dropped(string reason, int frames = 1) => _dropped.Add(frames, new KeyValuePair<string, object?>("reason", reason));

    public void EvictionRan() => _evictionRuns.Add(1);

    public void Evicted(string table, long rows) => _evicted.Add(rows, Table(table));

    public void LiveDropped(string stream) => _liveDropped.Add(1, new KeyValuePair<string, object?>("stream", stream));

    public void Subscribed(string stream, int delta)
    {
        if (stream == FleetStream)
        {
            Interlocked.Add(ref _fleetSubscribers, delta);
        }
        else
        {
            Interlocked.Add(ref _stackSubscribers, delta);
        }
    }

    private static KeyValuePair<string, object?> Table(string table) => new("table", table);
}
