using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.Tests.Broker;

/// <summary>The broker's routes against the v1 wire contract, and the broker's own OpenAPI document.</summary>
public sealed class OpenApiTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    [Fact]
    public void The_contract_has_the_core_operations_the_issue_lists()
    {
        // Guards the filter in CoreContract: dropping a whole feature by mistake would make the route test vacuous.
        Assert.Equal(52, CoreContract.CoreOperations.Count);
        Assert.Contains("PATCH /agents/{id}/health-status", CoreContract.CoreOperations);
        Assert.Contains("GET /agents/", CoreContract.CoreOperations);
        Assert.DoesNotContain(CoreContract.CoreOperations, o => o.Contains("template") || o.Contains("work-order") || o.Contains("webhook"));
    }

    [Fact]
    public void Every_core_operation_of_the_contract_is_routed()
    {
        var routed = broker.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m =>
                CoreContract.Shape($"{m} /{e.RoutePattern.RawText!.Trim('/')}")))
            .ToHashSet();

        var missing = MissingFrom(routed);
        Assert.True(missing.Count == 0, "operations of brokkr-v1.openapi.json the broker does not route:\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task The_broker_serves_its_own_OpenAPI_document_covering_the_core_paths()
    {
        using var client = new HttpClient { BaseAddress = broker.BaseAddress };
        using var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString());

        var documented = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => CoreContract.Shape($"{m.Name.ToUpperInvariant()} {p.Name}")))
            .ToHashSet();
        var missing = MissingFrom(documented);
        Assert.True(missing.Count == 0, "core operations missing from the broker's /openapi/v1.json:\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task The_broker_documents_the_contracts_success_status_for_every_core_operation()
    {
        using var client = new HttpClient { BaseAddress = broker.BaseAddress };
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths").EnumerateObject()
            .ToDictionary(p => CoreContract.Shape(p.Name), p => p.Value);
        var wrong = new List<string>();
        foreach (var (operation, codes) in CoreContract.SuccessCodes)
        {
            var (method, path) = (operation.Split(' ')[0].ToLowerInvariant(), CoreContract.Shape("/api/v1" + operation.Split(' ')[1].TrimEnd('/')));
            var documented = paths[path].GetProperty(method).GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet();
            if (!codes.All(documented.Contains))
            {
                wrong.Add($"{operation}: contract {string.Join(",", codes)}, broker {string.Join(",", documented)}");
            }
        }
        Assert.True(wrong.Count == 0, "success statuses differing from brokkr-v1.openapi.json:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public async Task Request_bodies_accept_what_the_contract_requires_and_nothing_it_lacks()
    {
        using var client = new HttpClient { BaseAddress = broker.BaseAddress };
        using var mine = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        using var contract = JsonDocument.Parse(File.ReadAllText(CoreContract.SpecFile));
        var myPaths = mine.RootElement.GetProperty("paths").EnumerateObject().ToDictionary(p => CoreContract.Shape(p.Name), p => p.Value);
        var wrong = new List<string>();
        var compared = 0;
        foreach (var operation in CoreContract.Operations)
        {
            var (method, path) = (operation.Split(' ')[0].ToLowerInvariant(), operation.Split(' ')[1]);
            var theirs = BodySchema(contract.RootElement, contract.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method));
            var ours = BodySchema(mine.RootElement, myPaths[CoreContract.Shape("/api/v1" + path.TrimEnd('/'))].GetProperty(method));
            if (theirs is not { } t || !t.TryGetProperty("properties", out var theirProperties))
            {
                continue;
            }
            if (ours is not { } o || !o.TryGetProperty("properties", out var ourProperties))
            {
                // Only PUT /agents/{id} takes any JSON object (spec §4.3); everything else must be documented.
                if (operation != "PUT /agents/{id}") wrong.Add($"{operation}: no request body documented");
                continue;
            }
            compared++;
            var accepted = ourProperties.EnumerateObject().Select(p => p.Name).ToHashSet();
            var known = theirProperties.EnumerateObject().Select(p => p.Name).ToHashSet();
            var required = t.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
            var missing = required.Where(name => !accepted.Contains(name)).ToList();
            var unknown = accepted.Where(name => !known.Contains(name)).ToList();
            if (missing.Count + unknown.Count > 0)
            {
                wrong.Add($"{operation}: missing {string.Join(",", missing)}; not in contract {string.Join(",", unknown)}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.True(compared >= 10, $"only {compared} request bodies compared");
    }

    [Fact]
    public async Task Shared_schemas_have_exactly_the_contracts_fields()
    {
        using var client = new HttpClient { BaseAddress = broker.BaseAddress };
        using var mine = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        using var contract = JsonDocument.Parse(File.ReadAllText(CoreContract.SpecFile));
        var theirs = contract.RootElement.GetProperty("components").GetProperty("schemas");
        var compared = new List<string>();
        foreach (var schema in mine.RootElement.GetProperty("components").GetProperty("schemas").EnumerateObject())
        {
            if (!theirs.TryGetProperty(schema.Name, out var their) || !their.TryGetProperty("properties", out var theirProperties))
            {
                continue;
            }
            compared.Add(schema.Name);
            Assert.Equal(
                theirProperties.EnumerateObject().Select(p => p.Name).Order(),
                schema.Value.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        }
        // The wire entities themselves must be among them.
        Assert.Superset(new HashSet<string> { "Agent", "Generator", "Stack", "DeploymentObject", "AgentEvent", "AgentTarget",
            "AgentGeneratorRegistration", "StackLabel", "StackAnnotation", "AgentLabel", "AgentAnnotation", "DeploymentHealth",
            "CreateAgentRequest", "CreateAgentResponse", "CreateGeneratorResponse", "DeploymentHealthResponse", "StackHealthResponse",
            "DeploymentObjectHealthSummary", "HeartbeatReport", "AgentRegistrationBody", "CreateDeploymentObjectRequest" }, compared.ToHashSet());
    }

    /// <summary>The resolved JSON request body schema of an operation, if it has one.</summary>
    private static JsonElement? BodySchema(JsonElement document, JsonElement operation)
    {
        if (!operation.TryGetProperty("requestBody", out var body) ||
            !body.GetProperty("content").TryGetProperty("application/json", out var json) ||
            !json.TryGetProperty("schema", out var schema))
        {
            return null;
        }
        while (schema.TryGetProperty("$ref", out var reference))
        {
            schema = document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1]);
        }
        return schema;
    }

    [Fact]
    public async Task The_OpenAPI_document_names_fields_in_snake_case()
    {
        using var client = new HttpClient { BaseAddress = broker.BaseAddress };
        var text = await client.GetStringAsync("/openapi/v1.json");
        using var document = JsonDocument.Parse(text);
        var agent = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("Agent").GetProperty("properties");
        Assert.True(agent.TryGetProperty("cluster_name", out _));
        Assert.True(agent.TryGetProperty("k8s_api_latency_ms", out _));
        Assert.False(agent.TryGetProperty("pak_hash", out _));
    }

    /// <summary>
    /// Core operations absent from a set of shaped "METHOD /api/v1/path" entries. Routing ignores a trailing slash, so
    /// "GET /agents/" (the self lookup) is served by "GET /agents", which branches on the raw path.
    /// </summary>
    private static List<string> MissingFrom(HashSet<string> shapes) => CoreContract.Operations
        .Select(o => CoreContract.Shape($"{o.Split(' ')[0]} /api/v1{o.Split(' ')[1].TrimEnd('/')}"))
        .Where(o => !shapes.Contains(o))
        .ToList();
}
