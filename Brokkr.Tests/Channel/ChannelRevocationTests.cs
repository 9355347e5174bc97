using System.Net;
using Brokkr.Broker.AgentChannel;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Channel;

/// <summary>
/// Authentication is checked at upgrade only, so retiring a PAK must end the sockets opened with it: rotation and
/// deletion close them with <see cref="AgentConnection.PakRevokedStatus"/>, and the old PAK cannot open another.
/// </summary>
public sealed class ChannelRevocationTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(15);
    private readonly Fleet _fleet = new(broker);

    [Fact]
    public async Task Rotating_an_agents_PAK_closes_its_open_channel_and_the_old_PAK_is_refused()
    {
        var agent = await _fleet.AgentAsync();
        var bystander = await _fleet.AgentAsync();
        await using var client = await ConnectedAsync(agent);
        await using var bystanderClient = await ConnectedAsync(bystander);

        var rotated = await broker.Client().Send("POST", $"/agents/{agent.Id}/rotate-pak").Expect(200);

        Assert.Equal(AgentConnection.PakRevokedStatus, await client.ClosedAsync(Soon));
        Assert.Equal(HttpStatusCode.Unauthorized, await ChannelClient.RefusedStatusAsync(broker.BaseAddress, agent.Pak));
        await using var renewed = await ConnectedAsync(agent with { Pak = rotated.Str("pak") });
        await ChannelAssert.ListedAsync(broker.Client(), bystander.Id); // other agents' channels are untouched
    }

    [Fact]
    public async Task Deleting_an_agent_closes_its_open_channel()
    {
        var agent = await _fleet.AgentAsync();
        await using var client = await ConnectedAsync(agent);

        await broker.Client().Send("DELETE", $"/agents/{agent.Id}").Expect(204);

        Assert.Equal(AgentConnection.PakRevokedStatus, await client.ClosedAsync(Soon));
        await ChannelAssert.ListedAsync(broker.Client(), agent.Id, listed: false);
        Assert.Equal(HttpStatusCode.Unauthorized, await ChannelClient.RefusedStatusAsync(broker.BaseAddress, agent.Pak));
    }

    private Task<ChannelClient> ConnectedAsync(Tenant agent) =>
        ChannelClient.ConnectListedAsync(broker.BaseAddress, broker.Client(), agent);
}
