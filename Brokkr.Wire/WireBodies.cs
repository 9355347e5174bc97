namespace Brokkr.Wire;

// Frame bodies, field for field as upstream's brokkr-wire (and, where REST has the type, the v1 REST shape). They are
// the channel's own records rather than the broker's entities so the agent can share them without the data layer.

public sealed record WireWorkOrder(Guid Id, DateTime CreatedAt, DateTime UpdatedAt, string WorkType, string YamlContent,
    string Status, Guid? ClaimedBy, DateTime? ClaimedAt, int ClaimTimeoutSeconds, int MaxRetries, int RetryCount,
    int BackoffSeconds, DateTime? NextRetryAfter, string? LastError, DateTime? LastErrorAt);

/// <summary>A nil <see cref="Id"/> and <see cref="StackId"/> mean "re-poll your targets", not a real target.</summary>
public sealed record WireAgentTarget(Guid Id, Guid AgentId, Guid StackId);

public sealed record WireStack(Guid Id, DateTime CreatedAt, DateTime UpdatedAt, DateTime? DeletedAt, string Name,
    string? Description, Guid GeneratorId);

public sealed record WireHeartbeat(Guid AgentId, DateTime SentAt, bool? K8sReachable = null, int? K8sApiLatencyMs = null);

public sealed record WireAgentEvent(Guid Id, DateTime CreatedAt, DateTime UpdatedAt, DateTime? DeletedAt, Guid AgentId,
    Guid DeploymentObjectId, string EventType, string Status, string? Message);

public sealed record WireDeploymentHealth(Guid Id, Guid AgentId, Guid DeploymentObjectId, string Status, string? Summary,
    DateTime CheckedAt, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record WireObjectRef(string ApiVersion, string Kind, string? Namespace, string Name, string? Uid);

public sealed record WireK8sEvent(Guid AgentId, Guid StackId, DateTime ObservedAt, string Reason, string Message,
    string EventType, string? Source, WireObjectRef InvolvedObject);

public sealed record WirePodLogLine(Guid AgentId, Guid StackId, string Namespace, string Pod, string Container, DateTime Ts,
    string Line);

/// <summary><see cref="Reason"/>: <c>rate_limit</c>, <c>buffer_full</c> or <c>disconnected</c>.</summary>
public sealed record WireLogGap(Guid AgentId, Guid StackId, DateTime SinceTs, ulong DroppedCount, string Reason);

public sealed record WireFleetAgentRecord(Guid AgentId, string Name, string ClusterName, string Status, bool WsConnected,
    DateTime? ConnectedSince, DateTime? LastHeartbeat, long? HeartbeatAgeSeconds, long PendingObjectCount,
    long PendingWorkOrders, long ClaimedWorkOrders, DateTime? LastEventAt, long? SecondsSinceLastEvent, long HealthFailing,
    long HealthDegraded, bool? K8sReachable, long? K8sApiLatencyMs);
