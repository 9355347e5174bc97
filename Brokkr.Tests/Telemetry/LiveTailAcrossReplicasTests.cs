using Brokkr.Tests.Broker;
using Brokkr.Tests.Broker.Replicas;
using Brokkr.Tests.Channel;
using Brokkr.Tests.Infrastructure;
using Brokkr.Wire;

namespace Brokkr.Tests.Telemetry;

/// <summary>
/// Two broker processes sharing one database: a frame an agent sends to one replica reaches a live-tail subscriber
/// connected to the other (the batch's NOTIFY, delivered at commit to every replica), and is readable through either.
/// </summary>
public sealed class LiveTailAcrossReplicasTests : IAsyncLifetime
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);
    private readonly PostgresDatabaseFixture _database = new();
    private BrokerReplica _a = null!;
    private BrokerReplica _b = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _a = await BrokerReplica.StartAsync(_database.ConnectionString);
        _b = await BrokerReplica.StartAsync(_database.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task An_event_ingested_by_one_replica_reaches_a_subscriber_on_the_other()
    {
        var fleet = new Fleet(_a);
        var generator = await fleet.GeneratorAsync();
        var agent = await fleet.AgentAsync(generator.Id);
        var stack = await fleet.StackAsync(generator);
        await fleet.TargetAsync(generator, agent, stack);

        await using var live = await LiveClient.ConnectAsync(_b.Service.BaseAddress, $"/stacks/{stack}/live", generator.Pak);
        var deadline = DateTime.UtcNow + Soon;
        while ((await _b.Client().Send("GET", "/admin/ws/connections").Expect(200)).GetProperty("live_subscribers").GetInt32() < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "the subscription never registered");
            await Task.Delay(50);
        }
        await using var channel = await ChannelClient.ConnectAsync(_a.Service.BaseAddress, agent.Pak);

        await channel.SendAsync(new K8sEventMessage(new WireK8sEvent(agent.Id, stack, DateTime.UtcNow, "Killing", "stopping container",
            "Normal", "kubelet", new WireObjectRef("v1", "Pod", "demo", "web-1", null))));

        var seen = Assert.IsType<K8sEventMessage>(await live.ReceiveAsync(Soon));
        Assert.Equal(("Killing", agent.Id), (seen.Body.Reason, seen.Body.AgentId));
        var read = await _b.Client(generator.Pak).Send("GET", $"/stacks/{stack}/events").Expect(200);
        Assert.Equal("Killing", Assert.Single(read.GetProperty("events").EnumerateArray()).Str("reason"));
    }
}
