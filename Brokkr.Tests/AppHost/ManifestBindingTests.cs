using System.Text.Json.Nodes;
using Brokkr.AppHost.Hosting;

namespace Brokkr.Tests.AppHost;

/// <summary>
/// The bindings' target ports as aspire-conventions §1.3 gives them: omitted only on a project's first http and first
/// https endpoint (the deploy tool supplies those), a container's port when it has only that, otherwise allocated from
/// 8000 upward past the ports the model already uses.
/// </summary>
public sealed class ManifestBindingTests
{
    [Fact]
    public async Task Endpoints_without_a_target_port_get_one_allocated_except_a_projects_default_http_and_https()
    {
        var builder = new DistributedApplicationBuilder(["--publisher", "manifest"], captured: false);
        builder.AddProject("api", "../Api/Api.csproj")
            .WithHttpEndpoint()
            .WithHttpEndpoint(name: "admin")
            .WithEndpoint("https", "https", "http")
            .WithEndpoint("events", "tcp", "tcp");
        builder.AddProject("worker", "../Worker/Worker.csproj").WithHttpEndpoint(targetPort: 8000);
        builder.AddContainer("cache", "redis", "7")
            .WithEndpoint("tcp", "tcp", "tcp")
            .WithEndpoint("metrics", "http", "http", port: 9121);

        var bindings = await PublishAsync(builder);

        Assert.Null(bindings["api"]["http"]["targetPort"]);
        Assert.Equal(8001, (int?)bindings["api"]["admin"]["targetPort"]); // 8000 is the worker's
        Assert.Null(bindings["api"]["https"]["targetPort"]);
        Assert.Equal(8002, (int?)bindings["api"]["events"]["targetPort"]);
        Assert.Equal(8000, (int?)bindings["worker"]["http"]["targetPort"]);
        Assert.Equal(8003, (int?)bindings["cache"]["tcp"]["targetPort"]);
        // A container's only port is what it listens on, so no separate port is written.
        Assert.Equal(9121, (int?)bindings["cache"]["metrics"]["targetPort"]);
        Assert.Null(bindings["cache"]["metrics"]["port"]);
        Assert.All(bindings.Values.SelectMany(b => b.Values), b => Assert.Null(b["port"]));
    }

    [Fact]
    public async Task A_port_other_than_the_target_port_is_written_beside_it()
    {
        var builder = new DistributedApplicationBuilder(["--publisher", "manifest"], captured: false);
        builder.AddProject("api", "../Api/Api.csproj").WithHttpEndpoint(port: 80, targetPort: 3000).WithHttpEndpoint(name: "admin", port: 81);

        var bindings = await PublishAsync(builder);

        Assert.Equal((80, 3000), ((int)bindings["api"]["http"]["port"]!, (int)bindings["api"]["http"]["targetPort"]!));
        Assert.Equal((81, 8000), ((int)bindings["api"]["admin"]["port"]!, (int)bindings["api"]["admin"]["targetPort"]!));
    }

    /// <summary>Each resource's bindings as written to a manifest: resource -> endpoint -> binding.</summary>
    private static async Task<Dictionary<string, Dictionary<string, JsonObject>>> PublishAsync(IDistributedApplicationBuilder builder)
    {
        var path = Path.Combine(Path.GetTempPath(), $"brokkr-manifest-bindings-{Guid.NewGuid():N}.json");
        try
        {
            await new ManifestPublisher(builder.Resources, builder.ExecutionContext).WriteAsync(path, CancellationToken.None);
            return JsonNode.Parse(await File.ReadAllTextAsync(path))!["resources"]!.AsObject()
                .Where(r => r.Value!["bindings"] is not null)
                .ToDictionary(r => r.Key, r => r.Value!["bindings"]!.AsObject().ToDictionary(b => b.Key, b => b.Value!.AsObject()));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
