using Brokkr.Tests.Broker;
using Brokkr.Tests.Broker.WorkOrders;
using Brokkr.Wire;

namespace Brokkr.Tests.Channel;

/// <summary>Changes reach the connected agents they affect, and only those.</summary>
public sealed class ChangeFanOutTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(15);
    private readonly Fleet _fleet = new(broker);

    [Fact]
    public async Task A_new_deployment_object_is_pushed_to_the_stacks_agents_only()
    {
        var generator = await _fleet.GeneratorAsync();
        var targeted = await _fleet.AgentAsync(generator.Id);
        var bystander = await _fleet.AgentAsync(generator.Id);
        var stack = await _fleet.StackAsync(generator);
        var otherStack = await _fleet.StackAsync(generator);
        await _fleet.TargetAsync(generator, targeted, stack);
        await using var targetedClient = await ConnectedAsync(targeted);
        await using var bystanderClient = await ConnectedAsync(bystander);

        await _fleet.DeploymentObjectAsync(generator, stack);

        var pushed = Assert.IsType<StackChangedMessage>(await NextAsync(targetedClient, m => m is StackChangedMessage));
        Assert.Equal(stack, pushed.Body.Id);
        Assert.Equal(generator.Id, pushed.Body.GeneratorId);
        // The bystander's first frame is its own later change: the stack's push never reached it.
        await _fleet.TargetAsync(generator, bystander, otherStack);
        var first = await bystanderClient.ReceiveAsync(Soon);
        var nudge = Assert.IsType<TargetChangedMessage>(first);
        Assert.Equal(bystander.Id, nudge.Body.AgentId);
        Assert.Equal(Guid.Empty, nudge.Body.StackId);
    }

    [Fact]
    public async Task A_stack_matched_by_label_pushes_to_the_agents_with_that_label()
    {
        var generator = await _fleet.GeneratorAsync();
        var labelled = await _fleet.AgentAsync(generator.Id);
        var stack = await _fleet.StackAsync(generator);
        await _fleet.Admin.Send("POST", $"/agents/{labelled.Id}/labels", new { agent_id = labelled.Id, label = "ws-fanout" }).Expect(201);
        await broker.Client(generator.Pak).Send("POST", $"/stacks/{stack}/labels", "ws-fanout").Expect(201);
        await using var client = await ConnectedAsync(labelled);

        await _fleet.DeploymentObjectAsync(generator, stack);

        var pushed = Assert.IsType<StackChangedMessage>(await NextAsync(client, m => m is StackChangedMessage));
        Assert.Equal(stack, pushed.Body.Id);
    }

    [Fact]
    public async Task A_work_order_is_pushed_to_the_agents_it_targets()
    {
        var orders = new WorkOrderClient(broker);
        var agent = await _fleet.AgentAsync();
        await using var client = await ConnectedAsync(agent);

        var created = await orders.CreateAsync(new { agent_ids = new[] { agent.Id } });

        var pushed = Assert.IsType<WorkOrderMessage>(await NextAsync(client, m => m is WorkOrderMessage));
        Assert.Equal(created.Id(), pushed.Body.Id);
        Assert.Equal("PENDING", pushed.Body.Status);
    }

    private Task<ChannelClient> ConnectedAsync(Tenant agent) =>
        ChannelClient.ConnectListedAsync(broker.BaseAddress, broker.Client(), agent);

    private static async Task<WsMessage> NextAsync(ChannelClient client, Func<WsMessage, bool> wanted)
    {
        var deadline = DateTime.UtcNow + Soon;
        while (true)
        {
            var message = await client.ReceiveAsync(deadline - DateTime.UtcNow) ?? throw new InvalidOperationException("channel closed");
            if (wanted(message))
            {
                return message;
            }
        }
    }
}
