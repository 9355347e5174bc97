using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Brokkr.Benchmarks;

/// <summary>One benchmark agent: its PAK, an object of its own for events, and the ETag of its last target state.</summary>
public sealed class FleetAgent(Guid id, string pak, Guid objectId)
{
    public Guid Id { get; } = id;
    public string Pak { get; } = pak;
    public Guid ObjectId { get; } = objectId;

    /// <summary>What a conditional poll sends as If-None-Match; null until the first 200.</summary>
    public string? ETag { get; set; }
}

/// <summary>
/// Seeds the fleet through the real API: one generator with S stacks of one ConfigMap each; N agents, each with its
/// own PAK, targeting T consecutive stacks (so one stack's change reaches about T/S of the fleet).
/// </summary>
public sealed class FleetSeeder(HttpClient client)
{
    public const string DevAdminPak = "brokkr_BR3rVsDa_GK3QN7CDUzYc6iKgMkJ98M2WSimM5t6U8";

    public string GeneratorPak { get; private set; } = "";

    public Guid[] Stacks { get; private set; } = [];

    public async Task<FleetAgent[]> SeedAsync(int agentCount, int stackCount, int targets)
    {
        var generator = await PostAsync(DevAdminPak, "/api/v1/generators", new { name = "fleet-generator" });
        var generatorId = generator.GetProperty("generator").GetProperty("id").GetGuid();
        GeneratorPak = generator.GetProperty("pak").GetString()!;
        Stacks = new Guid[stackCount];
        var objects = new Guid[stackCount];
        for (var i = 0; i < stackCount; i++)
        {
            Stacks[i] = (await PostAsync(GeneratorPak, "/api/v1/stacks", new { name = $"fleet-stack-{i}", generator_id = generatorId })).GetProperty("id").GetGuid();
            objects[i] = await ChangeStackAsync(i, 0);
        }
        var agents = new FleetAgent[agentCount];
        await Parallel.ForAsync(0, agentCount, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            var agent = await PostAsync(DevAdminPak, "/api/v1/agents", new { name = $"fleet-agent-{i}", cluster_name = $"cluster-{i}", generator_ids = new[] { generatorId } });
            var agentId = agent.GetProperty("agent").GetProperty("id").GetGuid();
            for (var t = 0; t < targets; t++)
            {
                await PostAsync(GeneratorPak, $"/api/v1/agents/{agentId}/targets", new { agent_id = agentId, stack_id = Stacks[(i + t) % stackCount] });
            }
            agents[i] = new FleetAgent(agentId, agent.GetProperty("initial_pak").GetString()!, objects[i % stackCount]);
        });
        return agents;
    }

    /// <summary>A new deployment object (revision <paramref name="revision"/>) in one stack: what a generator's push does.</summary>
    public async Task<Guid> ChangeStackAsync(int stack, int revision)
    {
        var yaml = $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fleet-{stack}\n  namespace: default\ndata:\n  key: value-{stack}-{revision}\n";
        return (await PostAsync(GeneratorPak, $"/api/v1/stacks/{Stacks[stack]}/deployment-objects", new { yaml_content = yaml })).GetProperty("id").GetGuid();
    }

    private async Task<JsonElement> PostAsync(string pak, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", pak);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
        }
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
