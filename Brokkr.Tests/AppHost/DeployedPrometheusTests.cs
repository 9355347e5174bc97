using System.Text.Json.Nodes;
using Brokkr.AppHost.Prometheus;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Infrastructure;
using Brokkr.Tests.Operations;

namespace Brokkr.Tests.AppHost;

/// <summary>
/// The manifest's prometheus container scrapes what the manifest deploys: the file its <c>--config.file</c> names in the
/// bind-mounted folder targets each of the model's scrape targets by resource name on the port of its manifest binding.
/// </summary>
public sealed class DeployedPrometheusTests
{
    private const string ConfigFileArgument = "--config.file=";

    [Fact]
    public async Task The_container_configuration_scrapes_the_manifests_resources_by_name_and_passes_promtool()
    {
        var resources = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "aspire-manifest.json")))!["resources"]!;
        var container = resources["prometheus"]!;
        var mount = Assert.Single(container["bindMounts"]!.AsArray())!;
        var (source, target) = ((string)mount["source"]!, (string)mount["target"]!);
        var inContainer = Assert.Single(container["args"]!.AsArray().Select(a => (string)a!), a => a.StartsWith(ConfigFileArgument, StringComparison.Ordinal))
            [ConfigFileArgument.Length..];
        Assert.StartsWith(target + "/", inContainer);
        var configFile = Path.Combine(RepositoryRoot.Path, source, Path.GetRelativePath(target, inContainer));

        var jobs = YamlDocuments.ParseFile(configFile)["scrape_configs"]!.AsArray()
            .ToDictionary(j => (string)j!["job_name"]!, j => j!.AsObject());
        var (builder, data) = await AppHostTesting.CreateAsync();
        AppHostTesting.DeleteData(data);
        var scrapeTargets = builder.Resources
            .Single(r => r.Name == "prometheus").Annotations.OfType<PrometheusScrapeTargetAnnotation>().ToList();
        await builder.DisposeAsync();
        Assert.Equal(["brokkr-agent", "brokkr-broker"], scrapeTargets.Select(t => t.JobName).Order());
        Assert.Equal(scrapeTargets.Select(t => t.JobName).Order(), jobs.Keys.Order());
        foreach (var scrape in scrapeTargets)
        {
            // aspirate and azd name a resource's service after it, on the binding's port (else its target port).
            var binding = resources[scrape.Target.Name]!["bindings"]![scrape.EndpointName]!;
            var port = (int)(binding["port"] ?? binding["targetPort"])!;
            var job = jobs[scrape.JobName];
            Assert.Equal(scrape.MetricsPath, (string?)job["metrics_path"]);
            Assert.Equal([$"{scrape.Target.Name}:{port}"], job["static_configs"]!.AsArray()
                .SelectMany(c => c!["targets"]!.AsArray()).Select(t => (string)t!));
        }

        var output = await ProcessRunner.RunAsync(RequiredTool.Promtool, ["check", "config", configFile]);
        Assert.Contains("SUCCESS: 1 rule files found", output);
    }
}
