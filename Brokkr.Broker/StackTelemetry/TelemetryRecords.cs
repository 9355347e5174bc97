using System.Text.Json;

namespace Brokkr.Broker.StackTelemetry;

// The v1 contract's shapes for tag stack-telemetry (upstream's AgentK8sEvent, AgentPodLog, RetentionInfo).

public sealed record AgentK8sEvent(Guid Id, Guid AgentId, Guid StackId, DateTime ObservedAt, string Reason, string Message,
    string EventType, string? Source, JsonElement InvolvedObject, DateTime CreatedAt);

public sealed record AgentPodLog(Guid Id, Guid AgentId, Guid StackId, string Namespace, string Pod, string Container, DateTime Ts,
    string Line, DateTime CreatedAt);

public sealed record RetentionInfo(long RetentionCeilingSeconds, long EffectiveRetentionSeconds, string LongTermSinkHint,
    DateTime? OldestAvailableTs);

public sealed record K8sEventHistoryResponse(RetentionInfo Retention, List<AgentK8sEvent> Events);

public sealed record PodLogHistoryResponse(RetentionInfo Retention, List<AgentPodLog> Lines);
