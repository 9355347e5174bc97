using Brokkr.Broker.AgentChannel;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Broker.Replicas;
using Brokkr.Tests.Infrastructure;
using Brokkr.Wire;

namespace Brokkr.Tests.Channel;

/// <summary>A change written through one replica reaches an agent whose channel is open on another (LISTEN/NOTIFY).</summary>
public sealed class FanOutAcrossReplicasTests : IAsyncLifetime
{
    private readonly PostgresDatabaseFixture _database = new();
    private BrokerReplica _writer = null!;
    private BrokerReplica _holder = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _writer = await BrokerReplica.StartAsync(_database.ConnectionString);
        _holder = await BrokerReplica.StartAsync(_database.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _holder.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_deployment_object_created_on_one_replica_is_pushed_by_the_replica_holding_the_agents_channel()
    {
        var (fleet, generator, agent, stack) = await TargetedAgentAsync();
        await using var client = await ChannelClient.ConnectAsync(_holder.Service.BaseAddress, agent.Pak);
        await ChannelAssert.ListedAsync(_holder.Client(), agent.Id);
        await ChannelAssert.ListedAsync(_writer.Client(), agent.Id, listed: false);

        await fleet.DeploymentObjectAsync(generator, stack);

        var pushed = Assert.IsType<StackChangedMessage>(await client.ReceiveAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(stack, pushed.Body.Id);
    }

    [Fact]
    public async Task A_change_committed_while_the_holders_listener_was_down_reaches_the_agent_as_a_nudge_when_it_is_back()
    {
        var (fleet, generator, agent, stack) = await TargetedAgentAsync();
        await using var client = await ChannelClient.ConnectListedAsync(_holder.Service.BaseAddress, _holder.Client(), agent);

        // With the listeners cut, the change's notice reaches nobody.
        await ReplicaListeners.TerminateAsync(_database.ConnectionString);
        await fleet.DeploymentObjectAsync(generator, stack);
        Assert.Equal(0, await ReplicaListeners.CountAsync(_database.ConnectionString));

        var pushed = Assert.IsType<TargetChangedMessage>(await client.ReceiveAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal((Guid.Empty, agent.Id), (pushed.Body.Id, pushed.Body.AgentId));
    }

    /// <summary>An agent targeted by a stack, made through the writing replica.</summary>
    private async Task<(Fleet Fleet, Tenant Generator, Tenant Agent, Guid Stack)> TargetedAgentAsync()
    {
        var fleet = new Fleet(_writer);
        var generator = await fleet.GeneratorAsync();
        var agent = await fleet.AgentAsync(generator.Id);
        var stack = await fleet.StackAsync(generator);
        await fleet.TargetAsync(generator, agent, stack);
        return (fleet, generator, agent, stack);
    }

    [Fact]
    public async Task A_PAK_rotated_through_one_replica_closes_the_agents_channel_on_another()
    {
        var agent = await new Fleet(_writer).AgentAsync();
        await using var client = await ChannelClient.ConnectListedAsync(_holder.Service.BaseAddress, _holder.Client(), agent);

        await _writer.Client().Send("POST", $"/agents/{agent.Id}/rotate-pak").Expect(200);

        Assert.Equal(AgentConnection.PakRevokedStatus, await client.ClosedAsync(TimeSpan.FromSeconds(15)));
    }
}
