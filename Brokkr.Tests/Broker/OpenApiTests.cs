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
        Assert.Equal(52, CoreContract.Operations.Count);
        Assert.Contains("PATCH /agents/{id}/health-status", CoreContract.Operations);
        Assert.Contains("GET /agents/", CoreContract.Operations);
        Assert.DoesNotContain(CoreContract.Operations, o => o.Contains("template") || o.Contains("work-order") || o.Contains("webhook"));
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
