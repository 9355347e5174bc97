using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// The fleet gauges: <c>brokkr_active_agents</c>, <c>brokkr_agent_heartbeat_age_seconds</c>, <c>brokkr_stacks_total</c>
/// and <c>brokkr_deployment_objects_total</c>, over <see cref="FleetState"/>. <see cref="FleetMetricsRefresher"/>
/// loads the state from the database; heartbeats, renames and deletions update it in memory at once. Ages and the
/// active count are computed when Prometheus scrapes, from heartbeat timestamps, so they are exact at scrape time
/// rather than as old as the last refresh.
/// </summary>
public sealed class FleetGauges
{
    private readonly Channel<bool> _refreshRequests = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public FleetGauges(BrokerMeter meter, IOptions<BrokerMetricsOptions> options, TimeProvider time)
    {
        State = new FleetState(time, TimeSpan.FromSeconds(options.Value.ActiveAgentThresholdSeconds));
        PerAgentSeries = options.Value.PerAgentSeries;
        var m = meter.Meter;
        m.CreateObservableGauge("brokkr_active_agents", State.ActiveAgents,
            description: "Live agents whose last heartbeat is within the activity threshold");
        if (PerAgentSeries)
        {
            m.CreateObservableGauge("brokkr_agent_heartbeat_age_seconds", HeartbeatAges, "s",
                "Seconds since each live agent's last heartbeat");
        }
        m.CreateObservableGauge("brokkr_stacks_total", () => State.Stacks, description: "Live stacks, fleet-wide");
        m.CreateObservableGauge("brokkr_deployment_objects_total", () => State.DeploymentObjects,
            description: "Live deployment objects of live stacks, fleet-wide");
    }

    public FleetState State { get; }

    /// <summary>Whether the refresh loads every agent (for per-agent series) or only counts the active ones.</summary>
    public bool PerAgentSeries { get; }

    /// <summary>
    /// Signalled by every heartbeat. Holds at most one request, so any number of heartbeats while a refresh is
    /// pending or running cost one more refresh, not one each.
    /// </summary>
    public ChannelReader<bool> RefreshRequests => _refreshRequests.Reader;

    /// <summary>
    /// A known agent's age restarts now, in memory, and costs no query: a fleet of known agents heartbeating thousands
    /// of times a minute leaves the database to the periodic refresh. An agent not known yet (or any agent when only
    /// the database counts them) requests a refresh, which brings it in along with the stack and object counts.
    /// </summary>
    public void Heartbeat(Guid agentId, DateTime at)
    {
        if (!State.Heartbeat(agentId, at) || !PerAgentSeries)
        {
            _refreshRequests.Writer.TryWrite(true);
        }
    }

    /// <summary>A renamed agent's series carries the new name from the next scrape on.</summary>
    public void Renamed(Guid agentId, string name) => State.Renamed(agentId, name);

    /// <summary>A deleted agent loses its series now, and a refresh already under way cannot bring it back.</summary>
    public void Forget(Guid agentId) => State.Forget(agentId);

    private IEnumerable<Measurement<double>> HeartbeatAges()
    {
        var ages = State.Ages();
        var measurements = new Measurement<double>[ages.Count];
        for (var i = 0; i < ages.Count; i++)
        {
            var (agent, age) = ages[i];
            measurements[i] = new Measurement<double>(age,
                new KeyValuePair<string, object?>("agent_id", agent.Id.ToString()),
                new KeyValuePair<string, object?>("agent_name", agent.Name));
        }
        return measurements;
    }
}
