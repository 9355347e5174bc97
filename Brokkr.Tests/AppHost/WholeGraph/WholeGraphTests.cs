using System.Net;
using System.Text.Json.Nodes;
using Brokkr.AppHost.Hosting;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.AppHost.WholeGraph;

/// <summary>The whole graph as the AppHost starts it: healthy services, the agent's identity, Prometheus scraping both.</summary>
[Collection(WholeGraphCollection.Name)]
public sealed class WholeGraphTests(WholeGraphFixture graph)
{
    [Fact]
    public async Task Broker_IsReady_AndTheAgentIdentityIsProvisionedActive()
    {
        using var broker = graph.App.CreateHttpClient("broker");
        using var readyz = await broker.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);

        var agent = await graph.Admin.Send("GET", $"/agents/{await graph.LocalAgentIdAsync()}").Expect(200);
        Assert.Equal("ACTIVE", agent.Str("status"));
        Assert.Equal("local", agent.Str("cluster_name"));
    }

    [Fact]
    public async Task AgentPak_IsKeptOwnerOnlyInTheDataFolder_AndNeverLogged()
    {
        var file = Path.Combine(graph.DataDirectory, "agent", "identity.json");
        Assert.False(OperatingSystem.IsWindows(), "the AppHost's run mode targets Linux");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var pak = (string)JsonNode.Parse(await File.ReadAllTextAsync(file))!["pak"]!;
        Assert.StartsWith("brokkr_", pak);

        // The PAK works (it is the agent's), and no resource printed it.
        using var auth = graph.App.CreateHttpClient("broker");
        auth.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + pak);
        var caller = await auth.Send("POST", "/auth/pak").Expect(200);
        Assert.Equal(await graph.LocalAgentIdAsync(), caller.Id("agent"));
        foreach (var resource in graph.App.Application.Resources)
        {
            Assert.DoesNotContain(graph.App.Application.GetResourceLogs(resource.Name), line => line.Contains(pak, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("broker")]
    [InlineData("agent")]
    public async Task Each_service_process_runs_with_the_environment_its_model_evaluates_to(string resource)
    {
        // The process the AppHost remembers for the resource (pid and start time, for leftovers) and what the kernel says
        // it was started with.
        var pid = File.ReadAllText(Path.Combine(graph.DataDirectory, "run", resource + ".pid")).Split(' ')[0];
        var actual = File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => v.Split('=', 2)).ToDictionary(v => v[0], v => v[1]);

        var model = (IResourceWithEnvironment)graph.App.Application.Resources.Single(r => r.Name == resource);
        var expected = await model.GetEnvironmentVariableValuesAsync(graph.ExecutionContext);

        Assert.Contains("OTEL_SERVICE_NAME", expected.Keys);
        Assert.All(expected, variable => Assert.Equal((variable.Key, variable.Value), (variable.Key, actual.GetValueOrDefault(variable.Key))));
    }

    [Fact]
    public void Service_logs_reach_the_console_without_the_colour_codes_they_are_written_with()
    {
        // DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION=true makes .NET colour redirected output; off a terminal the
        // resource console drops the escape sequences.
        var lines = graph.App.Application.GetResourceLogs("broker");
        Assert.Contains(lines, line => line.StartsWith("info: ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains('\x1b', StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("brokkr-broker", "broker")]
    [InlineData("brokkr-agent", "agent")]
    public async Task Prometheus_ScrapesTheServiceMetrics_UpIsOne(string job, string resource)
    {
        var target = await Poll.UntilAsync(() => graph.Prometheus.TargetAsync(job), t => (string?)t?["health"] == "up",
            PrometheusApi.ScrapeWait, $"target {job} up");
        Assert.Equal(graph.App.Application.GetEndpoint(resource) + "metrics", (string?)target!["scrapeUrl"]);

        Assert.Equal(1, await graph.Prometheus.ValueWhenAsync($"up{{job=\"{job}\"}}", _ => true));
    }

    [Fact]
    public async Task Prometheus_LoadsTheProjectsAlertRules()
    {
        var groups = await graph.Prometheus.RuleGroupsAsync();
        var alertsFile = Path.Combine(RepositoryRoot.Path, "deploy", "prometheus", "brokkr-alerts.yml");
        var expected = File.ReadLines(alertsFile).Where(l => l.TrimStart().StartsWith("- name:", StringComparison.Ordinal))
            .Select(l => l.Split(':', 2)[1].Trim().Trim('"', '\''))
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Order(), groups.Order());
    }

    [Fact]
    public async Task PromQl_TheLocalBrokerReportsTheDevelopmentAdminKeyInUse()
    {
        // The local broker runs with the public development admin key: the gauge that warns about it says so.
        Assert.Equal(1, await graph.Prometheus.ValueWhenAsync("brokkr_default_admin_pak_hash_in_use{job=\"brokkr-broker\"}", _ => true));
    }

    [Theory]
    [InlineData("brokkr-broker")]
    [InlineData("brokkr-agent")]
    public async Task PromQl_OverBrokkrSeries_ReturnsValuesForEachService(string job)
    {
        var families = await graph.Prometheus.QueryUntilAsync($"count by (__name__) ({{job=\"{job}\", __name__=~\"brokkr_.+\"}})",
            r => r.Count > 0);
        Assert.All(families, f => Assert.StartsWith("brokkr_", f.Labels["__name__"]));
    }
}
