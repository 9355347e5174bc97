namespace Brokkr.Broker.Metrics;

/// <summary>One live agent that has sent at least one heartbeat, as the fleet gauges know it.</summary>
public sealed record AgentHeartbeat(Guid Id, string Name, DateTime LastHeartbeat);

/// <summary>
/// What one refresh query read. <see cref="Agents"/> is every live agent with a heartbeat when per-agent series are
/// on; otherwise it is null and <see cref="ActiveAgents"/> is the count the database computed.
/// </summary>
public sealed record FleetSnapshot(long Stacks, long DeploymentObjects, IReadOnlyList<AgentHeartbeat>? Agents, long ActiveAgents = 0);

/// <summary>
/// The fleet gauges' state: the last database snapshot, corrected at once by what the API does in memory
/// (heartbeats, renames, deletions). A snapshot can be older than such a change — its query may have started
/// before the change committed — so every rename and deletion takes a sequence number, and
/// <see cref="Apply"/> lets a change newer than the refresh's start win over the snapshot's row.
/// </summary>
public sealed class FleetState(TimeProvider time, TimeSpan activeThreshold)
{
    private readonly Lock _lock = new();
    private Dictionary<Guid, AgentHeartbeat> _agents = [];
    // Renames (Name set) and deletions (Name null) by agent, with the sequence number at which they happened.
    private readonly Dictionary<Guid, (long Sequence, string? Name)> _changes = [];
    private long _sequence;
    private long _stacks;
    private long _deploymentObjects;
    private long? _activeFromDatabase;

    public long Stacks => Interlocked.Read(ref _stacks);

    public long DeploymentObjects => Interlocked.Read(ref _deploymentObjects);

    /// <summary>Applies a heartbeat to a known agent; false when the agent is not known (yet).</summary>
    public bool Heartbeat(Guid agentId, DateTime at)
    {
        lock (_lock)
        {
            if (!_agents.TryGetValue(agentId, out var known))
            {
                return false;
            }
            if (at > known.LastHeartbeat)
            {
                _agents[agentId] = known with { LastHeartbeat = at };
            }
            return true;
        }
    }

    public void Renamed(Guid agentId, string name)
    {
        lock (_lock)
        {
            _changes[agentId] = (++_sequence, name);
            if (_agents.TryGetValue(agentId, out var known))
            {
                _agents[agentId] = known with { Name = name };
            }
        }
    }

    public void Forget(Guid agentId)
    {
        lock (_lock)
        {
            _changes[agentId] = (++_sequence, null);
            _agents.Remove(agentId);
        }
    }

    /// <summary>Call before the refresh query starts; pass the result to <see cref="Apply"/>.</summary>
    public long BeginRefresh()
    {
        lock (_lock)
        {
            return _sequence;
        }
    }

    /// <summary>
    /// Replaces the state with <paramref name="snapshot"/>, except where the API changed an agent after
    /// <paramref name="refreshStart"/> (its rename or deletion wins) or saw a newer heartbeat (the newer one wins).
    /// </summary>
    public void Apply(long refreshStart, FleetSnapshot snapshot)
    {
        lock (_lock)
        {
            if (snapshot.Agents is { } agents)
            {
                var next = new Dictionary<Guid, AgentHeartbeat>(agents.Count);
                foreach (var row in agents)
                {
                    var agent = row;
                    if (_changes.TryGetValue(agent.Id, out var change) && change.Sequence > refreshStart)
                    {
                        if (change.Name is null)
                        {
                            continue;
                        }
                        agent = agent with { Name = change.Name };
                    }
                    if (_agents.TryGetValue(agent.Id, out var known) && known.LastHeartbeat > agent.LastHeartbeat)
                    {
                        agent = agent with { LastHeartbeat = known.LastHeartbeat };
                    }
                    next[agent.Id] = agent;
                }
                _agents = next;
                _activeFromDatabase = null;
            }
            else
            {
                _agents = [];
                _activeFromDatabase = snapshot.ActiveAgents;
            }
            // Changes up to the refresh's start are in the snapshot now.
            foreach (var (id, change) in _changes)
            {
                if (change.Sequence <= refreshStart)
                {
                    _changes.Remove(id);
                }
            }
            Interlocked.Exchange(ref _stacks, snapshot.Stacks);
            Interlocked.Exchange(ref _deploymentObjects, snapshot.DeploymentObjects);
        }
    }

    /// <summary>Agents whose last heartbeat is at most the threshold old, now; without per-agent state, the last count.</summary>
    public long ActiveAgents()
    {
        var now = time.GetUtcNow().UtcDateTime;
        lock (_lock)
        {
            if (_activeFromDatabase is { } counted)
            {
                return counted;
            }
            var active = 0L;
            foreach (var agent in _agents.Values)
            {
                if (now - agent.LastHeartbeat <= activeThreshold)
                {
                    active++;
                }
            }
            return active;
        }
    }

    /// <summary>The oldest heartbeat that still counts as active at this moment (the refresh query's cutoff).</summary>
    public DateTime ActiveCutoff() => time.GetUtcNow().UtcDateTime - activeThreshold;

    /// <summary>Every known agent with its heartbeat age in seconds, now.</summary>
    public List<(AgentHeartbeat Agent, double AgeSeconds)> Ages()
    {
        var now = time.GetUtcNow().UtcDateTime;
        lock (_lock)
        {
            var ages = new List<(AgentHeartbeat, double)>(_agents.Count);
            foreach (var agent in _agents.Values)
            {
                ages.Add((agent, Math.Max(0, (now - agent.LastHeartbeat).TotalSeconds)));
            }
            return ages;
        }
    }
}
