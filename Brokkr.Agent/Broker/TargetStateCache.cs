using System.Collections.Concurrent;

namespace Brokkr.Agent.Broker;

/// <summary>
/// The last target-state answer per (agent, mode) with its ETag, so a poll can ask "changed since?" and the broker
/// can answer 304 without reading or sending the objects again. One entry per mode: the agent polls incrementally and
/// fetches the full state for removal detection, and each has its own tag. A singleton, because the typed
/// <see cref="BrokerClient"/> is created per use.
/// </summary>
public sealed class TargetStateCache
{
    private readonly ConcurrentDictionary<(Guid Agent, bool Full), Entry> _entries = new();

    public sealed record Entry(string ETag, IReadOnlyList<DeploymentObjectRecord> Objects);

    public Entry? Get(Guid agentId, bool full) => _entries.GetValueOrDefault((agentId, full));

    public void Set(Guid agentId, bool full, Entry entry) => _entries[(agentId, full)] = entry;

    public void Forget(Guid agentId, bool full) => _entries.TryRemove((agentId, full), out _);
}
