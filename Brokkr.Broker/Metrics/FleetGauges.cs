using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Metrics;

/// <summary>One live agent that has sent at least one heartbeat, as the fleet gauges know it.</summary>
public sealed record AgentHeartbeat(Guid Id, string Name, DateTime LastHeartbeat);

/// <summary>
/// The fleet gauges: <c>brokkr_active_agents</c>, <c>brokkr_agent_heartbeat_age_seconds</c>, <c>brokkr_stacks_total</c>
/// and <c>brokkr_deployment_objects_total</c>. <see cref="FleetMetricsRefresher"/> loads the state from the database;
/// heartbeats and deletions update it in memory at once. Ages and the active count are computed when Prometheus
/// scrapes, from heartbeat timestamps, so they are exact at scrape time rather than as old as the last refresh.
/// </summary>
public sealed class FleetGauges
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _threshold;
    private readonly Channel<bool> _refreshRequests = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private Dictionary<Guid, AgentHeartbeat> _agents = [];
    private readonly HashSet<Guid> _forgottenDuringRefresh = [];
    private long _stacks;
    private long _deploymentObjects;

    public FleetGauges(BrokerMeter meter, IOptions<BrokerMetricsOptions> options, TimeProvider time)
    {
        _time = time;
        _threshold = TimeSpan.FromSeconds(options.Value.ActiveAgentThresholdSeconds);
        var m = meter.Meter;
        m.CreateObservableGauge("brokkr_active_agents", ActiveAgents,
            description: "Live agents whose last heartbeat is within the activity threshold");
        if (options.Value.PerAgentSeries)
        {
            m.CreateObservableGauge("brokkr_agent_heartbeat_age_seconds", HeartbeatAges, "s",
                "Seconds since each live agent's last heartbeat");
        }
        m.CreateObservableGauge("brokkr_stacks_total", () => Interlocked.Read(ref _stacks), description: "Live stacks, fleet-wide");
        m.CreateObservableGauge("brokkr_deployment_objects_total", () => Interlocked.Read(ref _deploymentObjects),
            description: "Live deployment objects, fleet-wide");
    }

    /// <summary>Signalled when the in-memory state cannot answer alone (an agent's first heartbeat).</summary>
    public ChannelReader<bool> RefreshRequests => _refreshRequests.Reader;

    public void Heartbeat(Guid agentId, DateTime at)
    {
        lock (_lock)
        {
            if (_agents.TryGetValue(agentId, out var known))
            {
                _agents[agentId] = known with { LastHeartbeat = at };
                return;
            }
        }
        // The name is not known here; the refresh brings the agent in with it.
        _refreshRequests.Writer.TryWrite(true);
    }

    /// <summary>A deleted agent loses its series now, and a refresh already under way cannot bring it back.</summary>
    public void Forget(Guid agentId)
    {
        lock (_lock)
        {
            _agents.Remove(agentId);
            _forgottenDuringRefresh.Add(agentId);
        }
    }

    public void BeginRefresh()
    {
        lock (_lock)
        {
            _forgottenDuringRefresh.Clear();
        }
    }

    /// <summary>Replaces the state with a database snapshot, keeping heartbeats newer than the snapshot.</summary>
    public void Apply(long stacks, long deploymentObjects, IEnumerable<AgentHeartbeat> agents)
    {
        lock (_lock)
        {
            var next = new Dictionary<Guid, AgentHeartbeat>();
            foreach (var agent in agents.Where(a => !_forgottenDuringRefresh.Contains(a.Id)))
            {
                next[agent.Id] = _agents.TryGetValue(agent.Id, out var known) && known.LastHeartbeat > agent.LastHeartbeat
                    ? agent with { LastHeartbeat = known.LastHeartbeat }
                    : agent;
            }
            _agents = next;
            Interlocked.Exchange(ref _stacks, stacks);
            Interlocked.Exchange(ref _deploymentObjects, deploymentObjects);
        }
    }

    public long ActiveAgents()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        lock (_lock)
        {
            return _agents.Values.Count(a => now - a.LastHeartbeat <= _threshold);
        }
    }

    private IEnumerable<Measurement<double>> HeartbeatAges()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        lock (_lock)
        {
            return _agents.Values.Select(a => new Measurement<double>(Math.Max(0, (now - a.LastHeartbeat).TotalSeconds),
                new KeyValuePair<string, object?>("agent_id", a.Id.ToString()),
                new KeyValuePair<string, object?>("agent_name", a.Name))).ToList();
        }
    }
}
