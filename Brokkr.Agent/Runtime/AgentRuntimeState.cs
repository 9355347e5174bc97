using Brokkr.Agent.Broker;

namespace Brokkr.Agent.Runtime;

/// <summary>
/// What the control loop last learned, read by the health checks and the /health document. Each part is an
/// immutable snapshot swapped atomically, so readers never see half an update.
/// </summary>
public sealed class AgentRuntimeState(TimeProvider time)
{
    // brokkr-core.md §6: broker.connected starts true (readiness waits for startup separately).
    private volatile BrokerContact _broker = new(true, null, null);
    private volatile KubernetesContact _kubernetes = new(false, "not contacted yet", null);
    private volatile AgentRecord? _self;

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public BrokerContact Broker => _broker;

    public KubernetesContact Kubernetes => _kubernetes;

    /// <summary>The agent's own broker record; null until startup found it.</summary>
    public AgentRecord? Self
    {
        get => _self;
        set => _self = value;
    }

    /// <summary>Why startup failed, when it did; the process then exits non-zero.</summary>
    public string? StartupFailure { get; set; }

    public void HeartbeatSucceeded() => _broker = new BrokerContact(true, time.GetUtcNow(), null);

    public void BrokerFailed(string error) => _broker = _broker with { Connected = false, Error = error };

    public void KubernetesReachable() => _kubernetes = new KubernetesContact(true, null, time.GetUtcNow());

    public void KubernetesUnreachable(string error) => _kubernetes = new KubernetesContact(false, error, time.GetUtcNow());
}

public sealed record BrokerContact(bool Connected, DateTimeOffset? LastHeartbeat, string? Error);

/// <summary>The last measured Kubernetes reachability; <paramref name="CheckedAt"/> null until it was measured.</summary>
public sealed record KubernetesContact(bool Connected, string? Error, DateTimeOffset? CheckedAt);
