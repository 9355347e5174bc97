using System.Diagnostics.Metrics;
using Brokkr.Broker.Metrics;
using Brokkr.Wire;

namespace Brokkr.Broker.AgentChannel;

/// <summary>Why a frame did not make it: the <c>reason</c> label of <c>brokkr_ws_messages_dropped_total</c>, a fixed set.</summary>
public static class DropReason
{
    /// <summary>The connection's send queue was at its bound (a slow or stalled agent); the push is dropped, REST covers it.</summary>
    public const string QueueFull = "queue_full";

    /// <summary>The connection closed between lookup and enqueue.</summary>
    public const string Closed = "closed";

    /// <summary>An inbound frame that is not a known message (bad JSON, unknown tag, binary); the socket is closed.</summary>
    public const string Malformed = "malformed";

    /// <summary>An inbound frame over the size limit; the socket is closed.</summary>
    public const string Oversized = "oversized";

    /// <summary>An inbound report the broker could not store (the database refused it or was down); the agent reports again.</summary>
    public const string WriteFailed = "write_failed";

    public static readonly string[] All = [QueueFull, Closed, Malformed, Oversized, WriteFailed];
}

/// <summary>
/// The agent channel's families, upstream's names where upstream has them. No per-agent labels: per-connection detail
/// is in <c>GET /admin/ws/connections</c>.
/// </summary>
public sealed class ChannelMetrics
{
    public static readonly string[] Outbound = [WorkOrderMessage.Tag, TargetChangedMessage.Tag, StackChangedMessage.Tag];
    public static readonly string[] Inbound = [HeartbeatMessage.Tag, AgentEventMessage.Tag, AgentHealthMessage.Tag,
        K8sEventMessage.Tag, PodLogLineMessage.Tag, LogGapMessage.Tag];

    private readonly Counter<long> _messages;
    private readonly Counter<long> _dropped;

    private int _connected;

    public ChannelMetrics(BrokerMeter meter)
    {
        var m = meter.Meter;
        m.CreateObservableGauge("brokkr_ws_connected_agents", () => Volatile.Read(ref _connected),
            description: "Agents holding a channel WebSocket to this broker replica");
        _messages = m.CreateCounter<long>("brokkr_ws_messages_total",
            description: "Channel frames sent (out) and received (in), by message type");
        _dropped = m.CreateCounter<long>("brokkr_ws_messages_dropped_total",
            description: "Channel frames dropped, by reason");
        foreach (var type in Outbound)
        {
            _messages.Add(0, Labels("out", type));
        }
        foreach (var type in Inbound)
        {
            _messages.Add(0, Labels("in", type));
        }
        foreach (var reason in DropReason.All)
        {
            _dropped.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public void Opened() => Interlocked.Increment(ref _connected);

    public void Ended() => Interlocked.Decrement(ref _connected);

    public void Sent(WsMessage message) => _messages.Add(1, Labels("out", message.Type));

    public void Received(WsMessage message) => _messages.Add(1, Labels("in", message.Type));

    /// <param name="reason">One of <see cref="DropReason.All"/>.</param>
    public void Dropped(string reason, int count = 1) => _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));

    private static KeyValuePair<string, object?>[] Labels(string direction, string type) =>
        [new("direction", direction), new("type", type)];
}
