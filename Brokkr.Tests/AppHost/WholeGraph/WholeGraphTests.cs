using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Channel;

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
        var model = graph.App.Services.GetRequiredService<DistributedApplicationModel>();
        foreach (var resource in model.Resources)
        {
            Assert.DoesNotContain(await graph.App.LogsAsync(resource.Name), line => line.Contains(pak, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("broker")]
    [InlineData("agent")]
    public void Each_service_runs_with_aspires_service_discovery_and_otlp_environment(string resource)
    {
        // What DCP reports it started the process with.
        Assert.True(graph.App.ResourceNotifications.TryGetCurrentState(resource, out var state));
        var environment = state.Snapshot.EnvironmentVariables.Where(e => e.IsFromSpec).ToDictionary(e => e.Name, e => e.Value);

        Assert.Equal(resource, environment["OTEL_SERVICE_NAME"]);
        Assert.StartsWith("http://localhost:", environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (resource == "broker")
        {
            var connection = new Npgsql.NpgsqlConnectionStringBuilder(environment["ConnectionStrings__brokkr"]);
            Assert.Equal(("localhost", "brokkr", "postgres"), (connection.Host, connection.Database, connection.Username));
            // Only the connection string: the password is not handed out a second time in variables of its own.
            Assert.DoesNotContain(environment.Keys, k => k.StartsWith("BROKKR_", StringComparison.Ordinal));
        }
        else
        {
            Assert.Equal(graph.App.GetEndpoint("broker").ToString().TrimEnd('/'), environment["BROKKR__AGENT__BROKER_URL"]!.TrimEnd('/'));
            Assert.StartsWith("brokkr_", environment["BROKKR__AGENT__PAK"]!);
        }
    }

    [Fact]
    public async Task The_agent_holds_its_channel_to_the_broker_and_reports_over_it()
    {
        var agentId = await graph.LocalAgentIdAsync();
        await ChannelAssert.ListedAsync(graph.Admin, agentId);

        // Heartbeats (one a second here) arrive as channel frames, not REST calls: the connection's inbound count grows.
        var first = await MessagesInAsync(agentId);
        await Poll.UntilAsync(() => MessagesInAsync(agentId), n => n > first, TimeSpan.FromSeconds(30), "a channel heartbeat");
        Assert.True(await graph.Prometheus.ValueWhenAsync("brokkr_ws_connected_agents{job=\"brokkr-broker\"}", v => v >= 1) >= 1);
    }

    private async Task<long> MessagesInAsync(Guid agentId) =>
        (await graph.Admin.Send("GET", "/admin/ws/connections").Expect(200)).GetProperty("connections").EnumerateArray()
            .Where(c => c.Id("agent_id") == agentId).Select(c => c.GetProperty("messages_in").GetInt64()).SingleOrDefault(-1);

    [Theory]
    [InlineData("brokkr-broker", "broker")]
    [InlineData("brokkr-agent", "agent")]
    public async Task Prometheus_ScrapesTheServiceMetrics_UpIsOne(string job, string resource)
    {
        var target = await Poll.UntilAsync(() => graph.Prometheus.TargetAsync(job), t => (string?)t?["health"] == "up",
            PrometheusApi.ScrapeWait, $"target {job} up");
        Assert.Equal(graph.App.GetEndpoint(resource) + "metrics", (string?)target!["scrapeUrl"]);

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
