namespace Brokkr.Broker.Api.V1.Fleet;

/// <summary>
/// One agent's measured signals (upstream's FleetAgentRecord): counts and ages only, no verdict. Ages are computed by
/// the database at read time and clamped at zero.
/// </summary>
public sealed record FleetAgentRecord(
    Guid AgentId,
    string Name,
    string ClusterName,
    string Status,
    bool WsConnected,
    DateTime? ConnectedSince,
    DateTime? LastHeartbeat,
    long? HeartbeatAgeSeconds,
    long PendingObjectCount,
    long PendingWorkOrders,
    long ClaimedWorkOrders,
    DateTime? LastEventAt,
    long? SecondsSinceLastEvent,
    long HealthFailing,
    long HealthDegraded,
    bool? K8sReachable,
    long? K8sApiLatencyMs);

public sealed record AgentFleetStatusResponse(FleetAgentRecord Record, List<Data.AgentEvent> RecentEvents);
