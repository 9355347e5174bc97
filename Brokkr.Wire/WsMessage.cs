using System.Text.Json.Serialization;

namespace Brokkr.Wire;

/// <summary>
/// One frame of the internal broker↔agent WebSocket, in upstream's brokkr-wire envelope:
/// <c>{"type": "&lt;snake_case variant&gt;", "body": {...}}</c>. Each variant is a record with a single <c>Body</c>, so the
/// discriminator and the body sit side by side in one JSON object exactly as upstream's adjacently tagged enum writes them.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(WorkOrderMessage), WorkOrderMessage.Tag)]
[JsonDerivedType(typeof(TargetChangedMessage), TargetChangedMessage.Tag)]
[JsonDerivedType(typeof(StackChangedMessage), StackChangedMessage.Tag)]
[JsonDerivedType(typeof(HeartbeatMessage), HeartbeatMessage.Tag)]
[JsonDerivedType(typeof(AgentEventMessage), AgentEventMessage.Tag)]
[JsonDerivedType(typeof(AgentHealthMessage), AgentHealthMessage.Tag)]
[JsonDerivedType(typeof(K8sEventMessage), K8sEventMessage.Tag)]
[JsonDerivedType(typeof(PodLogLineMessage), PodLogLineMessage.Tag)]
[JsonDerivedType(typeof(LogGapMessage), LogGapMessage.Tag)]
[JsonDerivedType(typeof(FleetUpdateMessage), FleetUpdateMessage.Tag)]
public abstract record WsMessage
{
    /// <summary>The variant's tag, bounded (ten values), so usable as a metric label.</summary>
    [JsonIgnore]
    public abstract string Type { get; }
}

// Broker → agent: control-plane hints. The agent reads only the variant; REST stays the source of truth.
public sealed record WorkOrderMessage(WireWorkOrder Body) : WsMessage
{
    public const string Tag = "work_order";
    [JsonIgnore] public override string Type => Tag;
}

public sealed record TargetChangedMessage(WireAgentTarget Body) : WsMessage
{
    public const string Tag = "target_changed";
    [JsonIgnore] public override string Type => Tag;
}

public sealed record StackChangedMessage(WireStack Body) : WsMessage
{
    public const string Tag = "stack_changed";
    [JsonIgnore] public override string Type => Tag;
}

// Agent → broker uplink.
public sealed record HeartbeatMessage(WireHeartbeat Body) : WsMessage
{
    public const string Tag = "heartbeat";
    [JsonIgnore] public override string Type => Tag;
}

public sealed record AgentEventMessage(WireAgentEvent Body) : WsMessage
{
    public const string Tag = "agent_event";
    [JsonIgnore] public override string Type => Tag;
}

public sealed record AgentHealthMessage(WireDeploymentHealth Body) : WsMessage
{
    public const string Tag = "agent_health";
    [JsonIgnore] public override string Type => Tag;
}

// Agent → broker telemetry: stored and fanned out to live tails (Brokkr.Broker/StackTelemetry).
public sealed record K8sEventMessage(WireK8sEvent Body) : WsMessage
{
    public const string Tag = "k8s_event";
    [JsonIgnore] public override string Type => Tag;
}

public sealed record PodLogLineMessage(WirePodLogLine Body) : WsMessage
{
    public const string Tag = "pod_log_line";
    [JsonIgnore] public override string Type => Tag;
}

public sealed record LogGapMessage(WireLogGap Body) : WsMessage
{
    public const string Tag = "log_gap";
    [JsonIgnore] public override string Type => Tag;
}

// Broker → live fleet consumer.
public sealed record FleetUpdateMessage(WireFleetAgentRecord Body) : WsMessage
{
    public const string Tag = "fleet_update";
    [JsonIgnore] public override string Type => Tag;
}
