using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Agent.Loop;

/// <summary>
/// An ACTIVE agent registered with its own generator on a test broker, created through the API as an admin would,
/// plus the generator-side calls a test makes: stacks targeted at the agent, deployment objects, and reading events.
/// </summary>
public sealed record AgentIdentity(RestartableBroker Broker, Tenant Generator, Tenant Agent, string Name, string Cluster)
{
    public static async Task<AgentIdentity> CreateAsync(RestartableBroker broker, string cluster = "rig", bool active = true)
    {
        var admin = broker.Admin;
        var generator = await admin.Send("POST", "/generators", new { name = Fleet.Unique("gen") }).Expect(201);
        var generatorTenant = new Tenant(generator.GetProperty("generator").Id(), generator.Str("pak"));
        var created = await admin.Send("POST", "/agents",
            new { name = Fleet.Unique("agent"), cluster_name = cluster, generator_ids = new[] { generatorTenant.Id } }).Expect(201);
        var agent = created.GetProperty("agent");
        if (active)
        {
            await admin.Send("PUT", $"/agents/{agent.Id()}", new { status = "ACTIVE" }).Expect(200);
        }

        return new AgentIdentity(broker, generatorTenant, new Tenant(agent.Id(), created.Str("initial_pak")), agent.Str("name"), cluster);
    }

    /// <summary>A new stack of the identity's generator, targeted at the agent.</summary>
    public async Task<Guid> StackAsync()
    {
        var generator = Broker.Client(Generator.Pak);
        var stack = (await generator.Send("POST", "/stacks", new { name = Fleet.Unique("stack"), generator_id = Generator.Id }).Expect(201)).Id();
        await generator.Send("POST", $"/agents/{Agent.Id}/targets", new { agent_id = Agent.Id, stack_id = stack }).Expect(201);
        return stack;
    }

    public async Task<Guid> DeployAsync(Guid stackId, string yaml, bool deletionMarker = false) =>
        (await Broker.Client(Generator.Pak).Send("POST", $"/stacks/{stackId}/deployment-objects",
            new { yaml_content = yaml, is_deletion_marker = deletionMarker }).Expect(201)).Id();

    /// <summary>The agent's events as the admin reads them: deployment object id → (status, message).</summary>
    /// <summary>Every DEPLOY event of the agent for one object, oldest first.</summary>
    public async Task<List<(string Status, string? Message)>> EventsOfAsync(Guid deploymentObjectId)
    {
        var events = await Broker.Admin.Send("GET", $"/agents/{Agent.Id}/events").Expect(200);
        return events.EnumerateArray().Where(e => e.Id("deployment_object_id") == deploymentObjectId).Reverse()
            .Select(e => (e.Str("status"), e.GetProperty("message").GetString())).ToList();
    }

    /// <summary>The latest event of each object the agent reported on.</summary>
    public async Task<Dictionary<Guid, (string Status, string? Message)>> EventsAsync()
    {
        var events = await Broker.Admin.Send("GET", $"/agents/{Agent.Id}/events").Expect(200);
        // Newest first: an object that failed and then applied on a retry has both events; the latest one counts.
        return events.EnumerateArray().GroupBy(e => e.Id("deployment_object_id")).ToDictionary(g => g.Key,
            g => (g.First().Str("status"), g.First().GetProperty("message").GetString()));
    }
}
