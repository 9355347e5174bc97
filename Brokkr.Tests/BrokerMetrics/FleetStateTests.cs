using Brokkr.Broker.Metrics;
using Brokkr.Tests.Agent.Loop;

namespace Brokkr.Tests.BrokerMetrics;

/// <summary>
/// A refresh's snapshot may be older than what the API changed while its query ran; the newer change must win.
/// The interleavings are driven step by step, so each one is tested exactly.
/// </summary>
public sealed class FleetStateTests
{
    private static readonly Guid AgentId = Guid.NewGuid();
    private readonly ManualTimeProvider _clock = new();
    private readonly FleetState _state;

    public FleetStateTests() => _state = new FleetState(_clock, TimeSpan.FromMinutes(5));

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    [Fact]
    public void A_rename_during_a_refresh_is_not_reverted_by_the_older_snapshot()
    {
        _state.Apply(_state.BeginRefresh(), Snapshot(new AgentHeartbeat(AgentId, "old", Now)));

        var start = _state.BeginRefresh();
        _state.Renamed(AgentId, "new");
        _state.Apply(start, Snapshot(new AgentHeartbeat(AgentId, "old", Now)));
        Assert.Equal("new", Names().Single());

        // Once a snapshot started after the rename, the database is the truth again.
        _state.Apply(_state.BeginRefresh(), Snapshot(new AgentHeartbeat(AgentId, "renamed-again-elsewhere", Now)));
        Assert.Equal("renamed-again-elsewhere", Names().Single());
    }

    [Fact]
    public void A_rename_of_an_agent_the_gauges_do_not_know_yet_survives_the_snapshot_that_brings_it_in()
    {
        var start = _state.BeginRefresh();
        _state.Renamed(AgentId, "new");
        _state.Apply(start, Snapshot(new AgentHeartbeat(AgentId, "old", Now)));
        Assert.Equal("new", Names().Single());
    }

    [Fact]
    public void A_deletion_during_a_refresh_is_not_undone_by_the_older_snapshot()
    {
        _state.Apply(_state.BeginRefresh(), Snapshot(new AgentHeartbeat(AgentId, "agent", Now)));

        var start = _state.BeginRefresh();
        _state.Forget(AgentId);
        _state.Apply(start, Snapshot(new AgentHeartbeat(AgentId, "agent", Now)));
        Assert.Empty(Names());
    }

    [Fact]
    public void A_heartbeat_newer_than_the_snapshot_is_kept()
    {
        var then = Now;
        _state.Apply(_state.BeginRefresh(), Snapshot(new AgentHeartbeat(AgentId, "agent", then)));
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, _state.ActiveAgents());

        var start = _state.BeginRefresh();
        Assert.True(_state.Heartbeat(AgentId, Now));
        _state.Apply(start, Snapshot(new AgentHeartbeat(AgentId, "agent", then)));
        Assert.Equal(1, _state.ActiveAgents());
        Assert.Equal(0, _state.Ages().Single().AgeSeconds);
    }

    [Fact]
    public void Without_agent_rows_the_active_count_is_the_snapshots()
    {
        _state.Apply(_state.BeginRefresh(), new FleetSnapshot(Stacks: 2, DeploymentObjects: 5, Agents: null, ActiveAgents: 7));
        Assert.Equal(7, _state.ActiveAgents());
        Assert.Equal((2L, 5L), (_state.Stacks, _state.DeploymentObjects));
        Assert.False(_state.Heartbeat(AgentId, Now));
        Assert.Empty(_state.Ages());
    }

    private static FleetSnapshot Snapshot(params AgentHeartbeat[] agents) => new(0, 0, agents);

    private List<string> Names() => _state.Ages().Select(a => a.Agent.Name).ToList();
}
