namespace Brokkr.Broker.Configuration;

/// <summary>
/// This broker process among the replicas sharing a database: a fresh id per start, so a restarted broker is a new
/// replica. It tells a replica its own notices apart from others' and names its rows in <c>broker_replicas</c>.
/// </summary>
public sealed class ReplicaIdentity
{
    public Guid Id { get; } = Guid.NewGuid();
}
