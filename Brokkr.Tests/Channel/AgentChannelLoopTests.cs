using Brokkr.Tests.Agent.Loop;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Infrastructure;

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
