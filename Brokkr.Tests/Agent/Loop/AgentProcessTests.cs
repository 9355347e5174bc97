using Brokkr.Tests.Broker;
using Brokkr.Tests.Infrastructure;
using Brokkr.Tests.Operations;
using Brokkr.Tests.ServiceDefaults;

namespace Brokkr.Tests.Agent.Loop;

/// <summary>
/// The real agent process against a real broker and the stand-in, configured the way deployments configure it:
/// BROKKR__AGENT__* variables, KUBECONFIG, and Aspire's services__broker__http__0 for the broker address.
/// </summary>
public sealed class AgentProcessTests(RestartableBroker broker) : IClassFixture<RestartableBroker>
{
    [Fact]
    public async Task The_process_applies_its_target_state_and_exposes_exactly_the_catalogued_families()
    {
        const string token = "process-token";
        await using var kubernetes = await KubernetesStandIn.KubernetesStandIn.StartAsync(new KubernetesStandIn.StandInOptions { Token = token });
        using var kubeconfig = new StandInKubeconfig(kubernetes.BaseAddress, token);
        var identity = await AgentIdentity.CreateAsync(broker, cluster: "process");
        var stack = await identity.StackAsync();
        var deployed = await identity.DeployAsync(stack, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-process, namespace: default}\n");
        var otherGenerator = (await broker.Admin.Send("POST", "/generators", new { name = Fleet.Unique("gen") }).Expect(201))
            .GetProperty("generator").Id();

        // Ready (/readyz 200) once a heartbeat reached the broker and the Kubernetes API answers.
        await using var agent = await ServiceProcess.StartAsync("Brokkr.Agent", new Dictionary<string, string?>
        {
            ["services__broker__http__0"] = broker.BaseAddress.ToString().TrimEnd('/'),
            ["BROKKR__AGENT__PAK"] = identity.Agent.Pak,
            ["BROKKR__AGENT__AGENT_NAME"] = identity.Name,
            ["BROKKR__AGENT__CLUSTER_NAME"] = identity.Cluster,
            ["BROKKR__AGENT__POLLING_INTERVAL"] = "1",
            ["BROKKR__AGENT__GENERATOR_IDS"] = $"{otherGenerator},not-a-uuid",
            ["BROKKR__AGENT__BROKER_URL"] = null,
            ["BROKKR__AGENT__KUBECONFIG_PATH"] = null,
            ["KUBECONFIG"] = kubeconfig.Path,
        }, readyPath: "/readyz");
        using var health = agent.CreateClient();

        var events = await Eventually(identity.EventsAsync, e => e.ContainsKey(deployed), agent);
        Assert.Equal("SUCCESS", events[deployed].Status);
        var exposition = await Eventually(() => health.GetStringAsync("/metrics"),
            text => text.Contains("brokkr_agent_kubernetes_operation_duration_seconds_count"), agent);

        // The work-order histogram has no series until an order ends; CatalogExpositionTests runs one and sees it.
        var differences = CatalogComparison.Differences(
                MonitoringCatalog.BrokkrFamilies("Agent families").Where(f => f.Family != "brokkr_agent_work_order_duration_seconds"),
                CatalogComparison.ExposedFamilies(exposition)).ToList();
        Assert.True(differences.Count == 0, string.Join('\n', differences));
        Assert.DoesNotContain(await Promtool.CheckMetricsAsync(exposition), line => line.Contains("brokkr_"));
        foreach (var id in new[] { identity.Agent.Id, stack, deployed })
        {
            Assert.DoesNotContain(id.ToString(), exposition);
        }

        Assert.DoesNotContain(identity.Agent.Pak, agent.Output);
        Assert.Equal(200, (int)(await health.GetAsync("/health")).StatusCode);
        // Startup registered the agent with the configured generator and skipped the malformed entry.
        var registrations = await broker.Admin.Send("GET", $"/agents/{identity.Agent.Id}/registrations").Expect(200);
        Assert.Contains(registrations.EnumerateArray(), r => r.Id("generator_id") == otherGenerator);
        Assert.Contains("Skipping generator id 'not-a-uuid'", agent.Output);
    }

    [Fact]
    public async Task The_process_exits_1_when_the_broker_never_becomes_ready()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync("Brokkr.Agent",
            new Dictionary<string, string?>
            {
                ["BROKKR__AGENT__BROKER_URL"] = "http://127.0.0.1:9", // the discard port: nothing listens
                ["BROKKR__AGENT__MAX_RETRIES"] = "2",
            }, readyPath: "/readyz"));

        Assert.Contains("exited with 1", error.Message);
        Assert.Contains("did not become ready after 2 attempts", error.Message);
    }

    [Fact]
    public async Task The_process_exits_1_on_invalid_configuration_naming_the_key()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync("Brokkr.Agent",
            new Dictionary<string, string?> { ["BROKKR__AGENT__POLLING_INTERVAL"] = "0" }));

        Assert.Contains("exited with 1", error.Message);
        Assert.Contains("polling_interval", error.Message);
    }

    private static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done, ServiceProcess agent)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                var value = await read();
                if (done(value))
                {
                    return value;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // The health server is not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, $"condition not reached within 60 s; agent output:\n{agent.Output}");
            await Task.Delay(100);
        }
    }
}
