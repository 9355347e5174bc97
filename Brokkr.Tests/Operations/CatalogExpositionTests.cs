using Brokkr.Tests.Agent.Loop;
using Brokkr.Tests.Broker;
using Brokkr.Tests.BrokerMetrics;
using Brokkr.Tests.Infrastructure;
using Brokkr.Tests.ServiceDefaults;

namespace Brokkr.Tests.Operations;

/// <summary>
/// docs/monitoring.md against what the services really expose: a broker and an agent, each in its own process (so
/// their /metrics hold only their own families), once the agent has polled and heartbeated. From then on every
/// family has series: histograms have observations and the broker knows a live agent. Every exposed brokkr_* family
/// must be catalogued with its type, and every catalogued family exposed.
/// </summary>
public sealed class CatalogExpositionTests(BrokerProcess broker) : IClassFixture<BrokerProcess>
{
    [Fact]
    public async Task The_catalog_matches_what_a_running_broker_and_agent_expose()
    {
        var agent = await new Fleet(broker).AgentAsync();
        var agentName = (await broker.Client().Send("PUT", $"/agents/{agent.Id}", new { status = "ACTIVE" }).Expect(200)).Str("name");
        // A work order the stand-in's Job controller completes, so the work-order histogram has an observation.
        await broker.Client().Send("POST", "/work-orders", new
        {
            work_type = "custom",
            yaml_content = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: catalog\n  annotations:\n    " +
                           KubernetesStandIn.Storage.JobController.OutcomeAnnotation + ": Complete\nspec:\n  template:\n    spec:\n" +
                           "      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n",
            targeting = new { agent_ids = new[] { agent.Id } },
        }).Expect(201);
        // A template render, so the render histogram has an observation.
        var fleet = new Fleet(broker);
        var stack = await fleet.StackAsync(await fleet.GeneratorAsync());
        var template = await broker.Client().Send("POST", "/templates", new
        {
            name = Fleet.Unique("catalog"), template_content = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ name }}\n", parameters_schema = "{}",
        }).Expect(201);
        await broker.Client().Send("POST", $"/stacks/{stack}/deployment-objects/from-template",
            new { template_id = template.Id(), parameters = new { name = "catalog" } }).Expect(201);
        await using var kubernetes = await KubernetesStandIn.KubernetesStandIn.StartAsync(new KubernetesStandIn.StandInOptions());
        using var kubeconfig = new StandInKubeconfig(kubernetes.BaseAddress, "token");
        await using var process = await ServiceProcess.StartAsync("Brokkr.Agent", new Dictionary<string, string?>
        {
            ["BROKKR__AGENT__BROKER_URL"] = broker.Service.BaseAddress.ToString(),
            ["BROKKR__AGENT__PAK"] = agent.Pak,
            ["BROKKR__AGENT__AGENT_NAME"] = agentName,
            ["BROKKR__AGENT__CLUSTER_NAME"] = "c1",
            ["BROKKR__AGENT__KUBECONFIG_PATH"] = kubeconfig.Path,
            ["BROKKR__AGENT__POLLING_INTERVAL"] = "1",
            ["Logging__LogLevel__Default"] = "Warning",
        });
        using var agentClient = process.CreateClient();
        var agentExposition = await Poll.UntilAsync(() => agentClient.GetStringAsync("/metrics"),
            text => ExpositionParser.Parse(text).Any(s => s.Name == "brokkr_agent_poll_requests_total" && s.Value > 0) &&
                    ExpositionParser.Parse(text).Any(s => s.Name == "brokkr_agent_work_orders_completed_total" && s.Value > 0),
            "the agent's first poll and work order", process);
        var brokerExposition = await Poll.UntilAsync(() => broker.Client(null).GetStringAsync("/metrics"),
            text => text.Contains("brokkr_agent_heartbeat_age_seconds{", StringComparison.Ordinal),
            "the agent's first heartbeat", process);

        var differences = CatalogComparison.Differences(MonitoringCatalog.BrokkrFamilies("Broker families"),
                CatalogComparison.ExposedFamilies(brokerExposition))
            .Concat(CatalogComparison.Differences(MonitoringCatalog.BrokkrFamilies("Agent families"),
                CatalogComparison.ExposedFamilies(agentExposition)))
            .ToList();
        Assert.True(differences.Count == 0, string.Join('\n', differences));
    }

    private static class Poll
    {
        public static async Task<string> UntilAsync(Func<Task<string>> read, Func<string, bool> done, string what, ServiceProcess agent)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                var text = await read();
                if (done(text))
                {
                    return text;
                }
                Assert.False(timeout.IsCancellationRequested, $"timed out waiting for {what}; agent output:\n{agent.Output}");
                await Task.Delay(200);
            }
        }
    }
}
