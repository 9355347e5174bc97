using Brokkr.Tests.Agent.Loop;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Broker.Replicas;
using Brokkr.Tests.BrokerMetrics;
using Brokkr.Tests.Infrastructure;
using Npgsql;

namespace Brokkr.Tests.Channel;

/// <summary>
/// The real agent with its channel on, against the real broker and the Kubernetes stand-in. The loop waits on a manual
/// clock that these tests never advance unless they say so: whatever reaches the cluster without a tick came by push.
/// </summary>
[Collection(AgentLoopCollection.Name)]
public sealed class AgentChannelLoopTests(RestartableBroker broker) : IClassFixture<RestartableBroker>
{
    private const string ConfigMap = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: pushed, namespace: default}
        data: {via: channel}
        """;

    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(15);

    private static Dictionary<string, string?> ChannelOn(string? wsUrl = null) => new()
    {
        ["Brokkr:Agent:ws_force_rest"] = "false",
        ["Brokkr:Agent:ws_url"] = wsUrl,
        ["Brokkr:Agent:polling_interval"] = "300",
    };

    [Fact]
    public async Task A_new_deployment_object_reaches_the_cluster_long_before_the_polling_interval()
    {
        Guid stack = default;
        await using var rig = await AgentRig.StartAsync(broker, async r => stack = await r.StackAsync(), ChannelOn());
        await ChannelAssert.ListedAsync(broker.Admin, rig.Agent.Id);
        var clock = rig.Clock.GetUtcNow();

        var deployed = await rig.DeployAsync(stack, ConfigMap);

        await PollAsync(() => rig.ClusterObject("configmaps", "default", "pushed") is not null, "the pushed object never reached the cluster");
        await PollAsync(async () => (await rig.EventsAsync()).TryGetValue(deployed, out var e) && e.Status == "SUCCESS", "no SUCCESS event");
        Assert.Equal(clock, rig.Clock.GetUtcNow()); // the 300 s poll never came due
        Assert.All(rig.Clock.RequestedDelays, d => Assert.Equal(TimeSpan.FromSeconds(300), d));
    }

    [Fact]
    public async Task With_the_channel_unreachable_the_agent_keeps_reconciling_by_polling()
    {
        var dead = $"ws://127.0.0.1:{LoopbackPort.Free()}/internal/ws/agent";
        Guid stack = default;
        await using var rig = await AgentRig.StartAsync(broker, async r => stack = await r.StackAsync(), ChannelOn(dead));
        await rig.DeployAsync(stack, ConfigMap);
        Assert.Null(rig.ClusterObject("configmaps", "default", "pushed"));

        await rig.TickAsync();

        Assert.NotNull(rig.ClusterObject("configmaps", "default", "pushed"));
        await ChannelAssert.ListedAsync(broker.Admin, rig.Agent.Id, listed: false);
        // The reports the channel could not carry went over REST: nothing is lost.
        Assert.Contains((await rig.EventsAsync()).Values, e => e.Status == "SUCCESS");
        Assert.True(await rig.MetricAsync("brokkr_agent_reports_total", "path=\"rest\",type=\"agent_event\"") >= 1);
        Assert.True(await rig.MetricAsync("brokkr_agent_reports_total", "path=\"rest\",type=\"heartbeat\"") >= 1);
        Assert.Equal(0, await rig.MetricAsync("brokkr_agent_reports_total", "path=\"channel\",type=\"heartbeat\""));
        Assert.Equal(0, await rig.MetricAsync("brokkr_agent_ws_connected"));
    }

    [Fact]
    public async Task With_the_channel_up_the_deployment_event_and_heartbeats_travel_over_it()
    {
        Guid stack = default;
        var before = await ChannelFramesInAsync();
        await using var rig = await AgentRig.StartAsync(broker, async r => stack = await r.StackAsync(), ChannelOn());
        await ChannelAssert.ListedAsync(broker.Admin, rig.Agent.Id);

        var deployed = await rig.DeployAsync(stack, ConfigMap);

        await PollAsync(async () => (await rig.EventsAsync()).TryGetValue(deployed, out var e) && e.Status == "SUCCESS", "no SUCCESS event");
        var after = await ChannelFramesInAsync();
        Assert.True(after.Events > before.Events, "the SUCCESS event did not come over the channel");
        Assert.True(after.Heartbeats > before.Heartbeats, "no heartbeat came over the channel");
    }

    [Fact]
    public async Task After_a_broker_outage_the_agent_reconnects_and_reconciles_what_changed_meanwhile_without_waiting_for_the_poll()
    {
        Guid stack = default;
        await using var rig = await AgentRig.StartAsync(broker, async r => stack = await r.StackAsync(), ChannelOn());
        await ChannelAssert.ListedAsync(broker.Admin, rig.Agent.Id);
        await using var other = await BrokerReplica.StartAsync(broker.ConnectionString);
        var clock = rig.Clock.GetUtcNow();

        await broker.StopAsync();
        try
        {
            // Written through another replica while the agent's broker is down: no push can reach the agent for it.
            await other.Client(rig.Generator.Pak).Send("POST", $"/stacks/{stack}/deployment-objects", new { yaml_content = ConfigMap })
                .Expect(201);
        }
        finally
        {
            await broker.RestartAsync();
        }

        await ChannelAssert.ListedAsync(broker.Admin, rig.Agent.Id);
        await PollAsync(() => rig.ClusterObject("configmaps", "default", "pushed") is not null, "the change made during the outage never reached the cluster");
        await PollAsync(async () => (await rig.EventsAsync()).Values.Any(e => e.Status == "SUCCESS"), "no SUCCESS event after the outage");
        Assert.Equal(clock, rig.Clock.GetUtcNow()); // reconciled on reconnecting, not at the 300 s poll
    }

    [Fact]
    public async Task A_push_arriving_before_the_broker_has_stored_a_SUCCESS_frame_does_not_apply_and_report_the_object_again()
    {
        Guid first = default, second = default, third = default;
        await using var rig = await AgentRig.StartAsync(broker, async r =>
        {
            first = await r.StackAsync();
            second = await r.StackAsync();
            third = await r.StackAsync();
        }, ChannelOn());
        await ChannelAssert.ListedAsync(broker.Admin, rig.Agent.Id);
        var clock = rig.Clock.GetUtcNow();

        Guid firstObject;
        // While this transaction holds the lock the broker cannot store events (reads go on), so the first object's
        // SUCCESS frame waits in the broker and the object stays in the agent's incremental target state.
        await using (var db = new NpgsqlConnection(broker.ConnectionString))
        {
            await db.OpenAsync();
            await using var hold = await db.BeginTransactionAsync();
            await using (var lockEvents = new NpgsqlCommand("LOCK TABLE agent_events IN EXCLUSIVE MODE", db, hold))
            {
                await lockEvents.ExecuteNonQueryAsync();
            }
            firstObject = await rig.DeployAsync(first, Named("first"));
            await PollAsync(() => rig.ClusterObject("configmaps", "default", "first") is not null, "the first object never reached the cluster");
            // The second push wakes a cycle whose poll still lists the first object as unacknowledged.
            await rig.DeployAsync(second, Named("second"));
            await PollAsync(() => rig.ClusterObject("configmaps", "default", "second") is not null, "the second object never reached the cluster");
            await hold.RollbackAsync();
        }

        // A third cycle's event is stored after every frame the second cycle sent: the connection's frames are applied in order.
        var thirdObject = await rig.DeployAsync(third, Named("third"));
        await PollAsync(async () => (await rig.EventsOfAsync(thirdObject)).Count > 0, "the third object's event never arrived");
        Assert.Equal(["SUCCESS"], (await rig.EventsOfAsync(firstObject)).Select(e => e.Status));
        Assert.Equal(clock, rig.Clock.GetUtcNow()); // no tick: all three came by push
    }

    private static string Named(string name) => ConfigMap.Replace("name: pushed", $"name: {name}", StringComparison.Ordinal);

    private async Task<(double Events, double Heartbeats)> ChannelFramesInAsync()
    {
        var scrape = new Scrape(await broker.Admin.GetStringAsync("/metrics"));
        return (scrape.Value("brokkr_ws_messages_total", ("direction", "in"), ("type", "agent_event")),
            scrape.Value("brokkr_ws_messages_total", ("direction", "in"), ("type", "heartbeat")));
    }

    private static Task PollAsync(Func<bool> condition, string failure) => PollAsync(() => Task.FromResult(condition()), failure);

    private static async Task PollAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + Soon;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(50);
        }
    }
}
