using Brokkr.Tests.Agent.Loop;
using Brokkr.Tests.Broker;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.Tests.BrokerMetrics;

/// <summary>
/// An in-process broker whose clock the test moves (heartbeat times and ages come from it), with a 60 s activity
/// threshold, read through a <see cref="MeterReader"/> on its own meter.
/// </summary>
public class FleetClockBroker : MeteredBroker
{
    public const int ThresholdSeconds = 60;

    public ManualTimeProvider Clock { get; } = new();

    protected virtual int RefreshSeconds => 1;

    protected virtual bool PerAgentSeries => true;

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Brokkr:Broker:active_agent_threshold_seconds"] = ThresholdSeconds.ToString(),
        ["Brokkr:Broker:fleet_metrics_refresh_seconds"] = RefreshSeconds.ToString(),
        ["Brokkr:Broker:metrics_per_agent_series"] = PerAgentSeries ? "true" : "false",
    };

    protected override void Configure(WebApplicationBuilder builder) => builder.Services.AddSingleton<TimeProvider>(Clock);

    public Task HeartbeatAsync(Tenant agent) => Client(agent.Pak).Send("POST", $"/agents/{agent.Id}/heartbeat").Expect(204);
}

/// <summary>The same without per-agent series and without the periodic refresh: agents are only counted, by the database.</summary>
public sealed class CountingFleetClockBroker : FleetClockBroker
{
    protected override int RefreshSeconds => 3600;

    protected override bool PerAgentSeries => false;
}

public sealed class ActiveAgentTests(FleetClockBroker broker) : IClassFixture<FleetClockBroker>
{
    [Fact]
    public async Task An_agent_is_active_until_its_heartbeat_is_older_than_the_threshold()
    {
        var agent = await new Fleet(broker).AgentAsync();
        await broker.HeartbeatAsync(agent);
        // The refresh the heartbeat requests brings the new agent in.
        await MeterReader.WaitUntilAsync(() => broker.Metrics.Gauge("brokkr_active_agents") == 1);
        Assert.Equal(1, broker.Metrics.Gauge("brokkr_active_agents"));

        broker.Clock.Advance(TimeSpan.FromSeconds(FleetClockBroker.ThresholdSeconds));
        Assert.Equal(1, broker.Metrics.Gauge("brokkr_active_agents"));
        Assert.Equal(FleetClockBroker.ThresholdSeconds, Age(agent));

        broker.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, broker.Metrics.Gauge("brokkr_active_agents"));
        Assert.Equal(FleetClockBroker.ThresholdSeconds + 1, Age(agent));

        // A heartbeat of a known agent counts from the moment it is accepted.
        await broker.HeartbeatAsync(agent);
        Assert.Equal(1, broker.Metrics.Gauge("brokkr_active_agents"));
        Assert.Equal(0, Age(agent));
    }

    private double Age(Tenant agent) => broker.Metrics.Observe("brokkr_agent_heartbeat_age_seconds")
        .Single(s => s.Tags["agent_id"] == agent.Id.ToString()).Value;
}

public sealed class CountedActiveAgentTests(CountingFleetClockBroker broker) : IClassFixture<CountingFleetClockBroker>
{
    [Fact]
    public async Task Without_per_agent_series_the_database_counts_agents_within_the_threshold()
    {
        var fleet = new Fleet(broker);
        var (early, late) = (await fleet.AgentAsync(), await fleet.AgentAsync());
        await broker.HeartbeatAsync(early);
        await MeterReader.WaitUntilAsync(() => broker.Metrics.Gauge("brokkr_active_agents") == 1);
        Assert.Equal(1, broker.Metrics.Gauge("brokkr_active_agents"));
        Assert.Empty(broker.Metrics.Observe("brokkr_agent_heartbeat_age_seconds"));

        broker.Clock.Advance(TimeSpan.FromSeconds(FleetClockBroker.ThresholdSeconds + 1));
        await broker.HeartbeatAsync(late);
        // A stack created after the heartbeat marks the first refresh that started after it: by then the early agent's
        // heartbeat is past the threshold and the late one's within it.
        await fleet.StackAsync(await fleet.GeneratorAsync());
        await broker.HeartbeatAsync(late);
        await MeterReader.WaitUntilAsync(() => broker.Metrics.Gauge("brokkr_stacks_total") == 1);
        Assert.Equal(1, broker.Metrics.Gauge("brokkr_stacks_total"));
        Assert.Equal(1, broker.Metrics.Gauge("brokkr_active_agents"));
    }
}

public sealed class FleetRefreshTests(FleetClockBroker broker) : IClassFixture<FleetClockBroker>
{
    [Fact]
    public async Task The_counts_follow_the_database_through_the_periodic_refresh()
    {
        // No heartbeat in this test: only the 1 s periodic refresh can bring the counts up to date.
        var fleet = new Fleet(broker);
        var generator = await fleet.GeneratorAsync();
        var kept = await fleet.StackAsync(generator);
        await fleet.DeploymentObjectAsync(generator, kept);
        await fleet.DeploymentObjectAsync(generator, kept);
        // An explicit deletion marker is a live revision of a live stack: the stack's desired state is "nothing".
        await broker.Client(generator.Pak).Send("POST", $"/stacks/{kept}/deployment-objects",
            new { yaml_content = "", is_deletion_marker = true }).Expect(201);
        var deleted = await fleet.StackAsync(generator);
        await fleet.DeploymentObjectAsync(generator, deleted);
        await WaitForCountsAsync(stacks: 2, deploymentObjects: 4);

        // Deleting a stack soft-deletes its object and writes a live deletion marker: history, not fleet content.
        await broker.Client(generator.Pak).Send("DELETE", $"/stacks/{deleted}").Expect(204);
        await WaitForCountsAsync(stacks: 1, deploymentObjects: 3);

        // A deleted generator takes its stacks and their objects with it.
        await broker.Client().Send("DELETE", $"/generators/{generator.Id}").Expect(204);
        await WaitForCountsAsync(stacks: 0, deploymentObjects: 0);
    }

    private async Task WaitForCountsAsync(long stacks, long deploymentObjects)
    {
        (long, long) Counts() =>
            ((long)broker.Metrics.Gauge("brokkr_stacks_total"), (long)broker.Metrics.Gauge("brokkr_deployment_objects_total"));
        await MeterReader.WaitUntilAsync(() => Counts() == (stacks, deploymentObjects));
        Assert.Equal((stacks, deploymentObjects), Counts());
    }
}
