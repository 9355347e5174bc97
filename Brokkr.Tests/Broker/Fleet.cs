using System.Text.Json;

namespace Brokkr.Tests.Broker;

public sealed record Tenant(Guid Id, string Pak);

/// <summary>Builds broker state through the public API as the admin would; names are unique per call.</summary>
public sealed class Fleet(IBrokerClients broker)
{
    private static int _counter;

    public HttpClient Admin { get; } = broker.Client();

    public static string Unique(string prefix) => $"{prefix}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid().ToString()[..8]}";

    public async Task<Tenant> GeneratorAsync()
    {
        var created = await Admin.Send("POST", "/generators", new { name = Unique("gen") }).Expect(201);
        return new Tenant(created.GetProperty("generator").Id(), created.Str("pak"));
    }

    public async Task<Tenant> AgentAsync(params Guid[] generatorIds)
    {
        var created = await Admin.Send("POST", "/agents", new { name = Unique("agent"), cluster_name = "c1", generator_ids = generatorIds }).Expect(201);
        return new Tenant(created.GetProperty("agent").Id(), created.Str("initial_pak"));
    }

    public async Task<Guid> StackAsync(Tenant generator)
    {
        var stack = await broker.Client(generator.Pak)
            .Send("POST", "/stacks", new { name = Unique("stack"), generator_id = generator.Id }).Expect(201);
        return stack.Id();
    }

    public async Task<JsonElement> DeploymentObjectAsync(Tenant generator, Guid stackId, string yaml = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n") =>
        await broker.Client(generator.Pak).Send("POST", $"/stacks/{stackId}/deployment-objects", new { yaml_content = yaml }).Expect(201);

    /// <summary>The built-in <c>__system__</c> generator, found through a fresh agent's registrations.</summary>
    public async Task<JsonElement> SystemGeneratorAsync()
    {
        var agent = await AgentAsync();
        foreach (var registration in (await Admin.Send("GET", $"/agents/{agent.Id}/registrations").Expect(200)).EnumerateArray())
        {
            var generator = await Admin.Send("GET", $"/generators/{registration.Id("generator_id")}").Expect(200);
            if (generator.GetProperty("is_system").GetBoolean())
            {
                return generator;
            }
        }
        throw new InvalidOperationException("a new agent is not registered with a system generator");
    }

    public async Task TargetAsync(Tenant generator, Tenant agent, Guid stackId) =>
        await broker.Client(generator.Pak).Send("POST", $"/agents/{agent.Id}/targets", new { agent_id = agent.Id, stack_id = stackId }).Expect(201);
}
