using System.Text.Json;

namespace Brokkr.Tests.Broker;

/// <summary>
/// Targeting (spec §5) as an agent sees it through <c>/target-state</c> and <c>/stacks</c>: explicit targets, label and
/// annotation matches gated by registration, the system generator, the newest object per stack, incremental versus
/// full mode, deletion markers and removals.
/// </summary>
public sealed class TargetingTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private readonly Fleet _fleet = new(broker);
    private HttpClient Admin => _fleet.Admin;

    [Fact]
    public async Task An_explicit_target_delivers_the_stacks_newest_object_only()
    {
        var (generator, agent) = await RegisteredPairAsync();
        var stack = await _fleet.StackAsync(generator);
        await _fleet.TargetAsync(generator, agent, stack);
        Assert.Empty(await StateAsync(agent)); // a stack without objects contributes nothing
        Assert.Equal([stack], await StacksAsync(agent));

        await _fleet.DeploymentObjectAsync(generator, stack, "a: 1");
        var newest = (await _fleet.DeploymentObjectAsync(generator, stack, "a: 2")).Id();
        Assert.Equal([newest], await StateAsync(agent));
        Assert.Equal([newest], await StateAsync(agent, full: true));
    }

    [Fact]
    public async Task Objects_of_several_stacks_come_newest_first_one_per_stack()
    {
        var (generator, agent) = await RegisteredPairAsync();
        var first = await _fleet.StackAsync(generator);
        var second = await _fleet.StackAsync(generator);
        await _fleet.TargetAsync(generator, agent, first);
        await _fleet.TargetAsync(generator, agent, second);
        var a = (await _fleet.DeploymentObjectAsync(generator, first, "a: 1")).Id();
        var b = (await _fleet.DeploymentObjectAsync(generator, second, "b: 1")).Id();
        var c = (await _fleet.DeploymentObjectAsync(generator, first, "a: 2")).Id();
        Assert.Equal([c, b], await StateAsync(agent));
        Assert.DoesNotContain(a, await StateAsync(agent, full: true));
        Assert.Equal(new[] { first, second }.Order(), await StacksAsync(agent));
    }

    [Fact]
    public async Task A_label_match_needs_a_registration_with_the_stacks_generator()
    {
        var generator = await _fleet.GeneratorAsync();
        var agent = await _fleet.AgentAsync();
        var label = Fleet.Unique("tier");
        var stack = await _fleet.StackAsync(generator);
        await broker.Client(generator.Pak).Send("POST", $"/stacks/{stack}/labels", label).Expect(201);
        var d = (await _fleet.DeploymentObjectAsync(generator, stack)).Id();
        await Admin.Send("POST", $"/agents/{agent.Id}/labels", new { agent_id = agent.Id, label }).Expect(201);
        Assert.Empty(await StateAsync(agent));

        await Admin.Send("POST", $"/generators/{generator.Id}/register", new { agent_id = agent.Id }).Expect(201);
        Assert.Equal([d], await StateAsync(agent));
        Assert.Equal([stack], await StacksAsync(agent));

        // Labels match exactly, case-sensitively.
        var other = await _fleet.AgentAsync(generator.Id);
        await Admin.Send("POST", $"/agents/{other.Id}/labels", new { agent_id = other.Id, label = label.ToUpperInvariant() }).Expect(201);
        Assert.Empty(await StateAsync(other));

        await Admin.Send("DELETE", $"/generators/{generator.Id}/register", new { agent_id = agent.Id }).Expect(204);
        Assert.Empty(await StateAsync(agent, full: true));
    }

    [Fact]
    public async Task An_annotation_match_needs_equal_key_and_value()
    {
        var (generator, agent) = await RegisteredPairAsync();
        var key = Fleet.Unique("team");
        var stack = await _fleet.StackAsync(generator);
        await broker.Client(generator.Pak).Send("POST", $"/stacks/{stack}/annotations", new { stack_id = stack, key, value = "web" }).Expect(201);
        var d = (await _fleet.DeploymentObjectAsync(generator, stack)).Id();

        await Admin.Send("POST", $"/agents/{agent.Id}/annotations", new { agent_id = agent.Id, key, value = "ops" }).Expect(201);
        Assert.Empty(await StateAsync(agent));
        await Admin.Send("DELETE", $"/agents/{agent.Id}/annotations/{key}").Expect(204);
        await Admin.Send("POST", $"/agents/{agent.Id}/annotations", new { agent_id = agent.Id, key, value = "web" }).Expect(201);
        Assert.Equal([d], await StateAsync(agent));
    }

    [Fact]
    public async Task A_system_stack_reaches_every_agent_with_its_label()
    {
        var system = await _fleet.SystemGeneratorAsync();
        var label = Fleet.Unique("fleet");
        var stack = (await Admin.Send("POST", "/stacks", new { name = Fleet.Unique("monitoring"), generator_id = system.Id() }).Expect(201)).Id();
        await Admin.Send("POST", $"/stacks/{stack}/labels", label).Expect(201);
        var d = (await Admin.Send("POST", $"/stacks/{stack}/deployment-objects", new { yaml_content = "kind: DaemonSet" }).Expect(201)).Id();

        var labelled = await _fleet.AgentAsync();
        var unlabelled = await _fleet.AgentAsync();
        await Admin.Send("POST", $"/agents/{labelled.Id}/labels", new { agent_id = labelled.Id, label }).Expect(201);
        Assert.Equal([d], await StateAsync(labelled));
        Assert.Empty(await StateAsync(unlabelled));
    }

    [Fact]
    public async Task Incremental_mode_drops_acknowledged_objects_until_a_newer_one_arrives()
    {
        var (generator, agent) = await RegisteredPairAsync();
        var stack = await _fleet.StackAsync(generator);
        await _fleet.TargetAsync(generator, agent, stack);
        var first = (await _fleet.DeploymentObjectAsync(generator, stack, "a: 1")).Id();
        await EventAsync(agent, first, "FAILURE");

        // Either status acknowledges: a failed object is not offered again by incremental polling...
        Assert.Empty(await StateAsync(agent));
        // ...while full mode always lists the desired object, which is what removal detection compares against.
        Assert.Equal([first], await StateAsync(agent, full: true));
        Assert.Empty(await StateAsync(agent, mode: "anything-else-is-incremental"));

        var second = (await _fleet.DeploymentObjectAsync(generator, stack, "a: 2")).Id();
        Assert.Equal([second], await StateAsync(agent));
        await EventAsync(agent, second, "SUCCESS");
        Assert.Empty(await StateAsync(agent));
    }

    [Fact]
    public async Task An_API_deletion_marker_is_the_desired_object_while_a_deleted_stack_leaves_targeting()
    {
        var (generator, agent) = await RegisteredPairAsync();
        var stack = await _fleet.StackAsync(generator);
        await _fleet.TargetAsync(generator, agent, stack);
        await _fleet.DeploymentObjectAsync(generator, stack);
        var marker = await broker.Client(generator.Pak).Send("POST", $"/stacks/{stack}/deployment-objects",
            new { yaml_content = "", is_deletion_marker = true }).Expect(201);
        var state = await StateObjectsAsync(agent);
        Assert.Equal(marker.Id(), Assert.Single(state).Id());
        Assert.True(state[0].GetProperty("is_deletion_marker").GetBoolean());

        await broker.Client(generator.Pak).Send("DELETE", $"/stacks/{stack}").Expect(204);
        Assert.Empty(await StateAsync(agent, full: true));
        Assert.Empty(await StacksAsync(agent));
    }

    [Theory]
    [InlineData("target removed")]
    [InlineData("label removed")]
    [InlineData("unregistered")]
    [InlineData("stack deleted")]
    public async Task A_removed_stack_disappears_from_the_full_state_even_after_it_was_acknowledged(string removal)
    {
        var (generator, agent) = await RegisteredPairAsync();
        var owner = broker.Client(generator.Pak);
        var label = Fleet.Unique("l");
        var kept = await _fleet.StackAsync(generator);
        var removed = await _fleet.StackAsync(generator);
        await _fleet.TargetAsync(generator, agent, kept);
        if (removal == "label removed")
        {
            await owner.Send("POST", $"/stacks/{removed}/labels", label).Expect(201);
            await Admin.Send("POST", $"/agents/{agent.Id}/labels", new { agent_id = agent.Id, label }).Expect(201);
        }
        else
        {
            await _fleet.TargetAsync(generator, agent, removed);
        }
        var keptObject = (await _fleet.DeploymentObjectAsync(generator, kept, "k: 1")).Id();
        var removedObject = (await _fleet.DeploymentObjectAsync(generator, removed, "r: 1")).Id();
        await EventAsync(agent, keptObject, "SUCCESS");
        await EventAsync(agent, removedObject, "SUCCESS");
        Assert.Empty(await StateAsync(agent));
        Assert.Equal([removedObject, keptObject], await StateAsync(agent, full: true));

        var change = removal switch
        {
            "target removed" => owner.Send("DELETE", $"/agents/{agent.Id}/targets/{removed}"),
            "label removed" => owner.Send("DELETE", $"/stacks/{removed}/labels/{label}"),
            "unregistered" => Admin.Send("DELETE", $"/generators/{generator.Id}/register", new { agent_id = agent.Id }),
            _ => owner.Send("DELETE", $"/stacks/{removed}"),
        };
        await change.Expect(204);

        var expected = removal == "unregistered" ? Array.Empty<Guid>() : [keptObject];
        Assert.Equal(expected, await StateAsync(agent, full: true));
        Assert.DoesNotContain(removed, await StacksAsync(agent));
    }

    [Fact]
    public async Task An_unknown_agent_has_an_empty_target_state()
    {
        Assert.Equal(0, (await Admin.Send("GET", $"/agents/{Guid.NewGuid()}/target-state").Expect(200)).GetArrayLength());
    }

    private async Task<(Tenant Generator, Tenant Agent)> RegisteredPairAsync()
    {
        var generator = await _fleet.GeneratorAsync();
        return (generator, await _fleet.AgentAsync(generator.Id));
    }

    private async Task<List<JsonElement>> StateObjectsAsync(Tenant agent, string? mode = null) =>
        (await broker.Client(agent.Pak).Send("GET", $"/agents/{agent.Id}/target-state" + (mode is null ? "" : $"?mode={mode}")).Expect(200))
        .EnumerateArray().ToList();

    private async Task<List<Guid>> StateAsync(Tenant agent, bool full = false, string? mode = null) =>
        (await StateObjectsAsync(agent, mode ?? (full ? "full" : null))).Select(d => d.Id()).ToList();

    private async Task<List<Guid>> StacksAsync(Tenant agent) =>
        (await broker.Client(agent.Pak).Send("GET", $"/agents/{agent.Id}/stacks").Expect(200)).EnumerateArray().Select(s => s.Id()).ToList();

    private Task EventAsync(Tenant agent, Guid deploymentObject, string status) =>
        broker.Client(agent.Pak).Send("POST", $"/agents/{agent.Id}/events", new
        {
            agent_id = agent.Id, deployment_object_id = deploymentObject, event_type = "DEPLOY", status, message = (string?)null,
        }).Expect(201);
}
