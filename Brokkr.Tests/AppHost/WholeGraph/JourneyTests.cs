using System.Text.Json;
using Aspire.Hosting.Testing;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.AppHost.WholeGraph;

/// <summary>
/// The user journey across the whole graph: a generator publishes a deployment object, the AppHost's agent applies it to
/// the Kubernetes stand-in and reports DEPLOY SUCCESS, and Prometheus shows what that took on both sides.
/// </summary>
[Collection(WholeGraphCollection.Name)]
public sealed class JourneyTests(WholeGraphFixture graph)
{
    private static readonly TimeSpan DeployWait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task GeneratorStackAndDeploymentObject_AreAppliedByTheAgent_AndPrometheusShowsTheWork()
    {
        var admin = graph.Admin;
        var agentId = await graph.LocalAgentIdAsync();
        // The admin agent list also refreshes brokkr_active_agents.
        var agents = await admin.Send("GET", "/agents").Expect(200);
        Assert.Single(agents.EnumerateArray());

        var created = await admin.Send("POST", "/generators", new { name = "journey-ci" }).Expect(201);
        var generatorId = created.GetProperty("generator").Id();
        using var generator = graph.App.CreateHttpClient("broker");
        generator.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + created.Str("pak"));
        await admin.Send("POST", $"/generators/{generatorId}/register", new { agent_id = agentId }).Expect(201);

        var stackId = (await generator.Send("POST", "/stacks", new { name = "journey", generator_id = generatorId }).Expect(201)).Id();
        const string yaml = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: journey\n---\n" +
                            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeting\n  namespace: journey\ndata:\n  hello: world\n";
        var deploymentObjectId = (await generator.Send("POST", $"/stacks/{stackId}/deployment-objects", new { yaml_content = yaml })
            .Expect(201)).Id();
        await generator.Send("POST", $"/agents/{agentId}/targets", new { agent_id = agentId, stack_id = stackId }).Expect(201);

        // The agent applies it and says so through the API.
        var events = await Poll.UntilAsync(
            async () => (await admin.Send("GET", $"/agents/{agentId}/events").Expect(200)).EnumerateArray().ToList(),
            list => list.Any(e => e.Id("deployment_object_id") == deploymentObjectId), DeployWait,
            () => $"a DEPLOY event for deployment object {deploymentObjectId} (agent log: {string.Join(" / ", graph.App.LogsAsync("agent").Result.TakeLast(10))})");
        var deployed = events.First(e => e.Id("deployment_object_id") == deploymentObjectId);
        Assert.Equal("DEPLOY", deployed.Str("event_type"));
        Assert.True(deployed.Str("status") == "SUCCESS", $"the agent reported {deployed}");

        // ... and the object is in the cluster, stamped with its stack.
        using var kubernetes = graph.App.CreateHttpClient("kubernetes");
        kubernetes.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer brokkr-stand-in");
        var configMap = JsonDocument.Parse(await kubernetes.GetStringAsync("/api/v1/namespaces/journey/configmaps/greeting")).RootElement;
        Assert.Equal("world", configMap.GetProperty("data").Str("hello"));
        Assert.Equal(stackId.ToString(), configMap.GetProperty("metadata").GetProperty("annotations").Str("k8s.brokkr.io/stack"));

        // Prometheus (after its next scrapes) shows the journey on both sides.
        var prometheus = graph.Prometheus;
        Assert.Equal(1, await prometheus.ValueWhenAsync("brokkr_active_agents{job=\"brokkr-broker\"}", v => v == 1));
        await prometheus.ValueWhenAsync(
            "sum(brokkr_http_requests_total{job=\"brokkr-broker\", method=\"POST\", endpoint=~\".*/deployment-objects\", status=\"201\"})",
            v => v >= 1);
        // The DEPLOY event came over the agent's channel (an agent_event frame), not POST /events.
        await prometheus.ValueWhenAsync("sum(brokkr_agent_events_total{job=\"brokkr-broker\", status=\"SUCCESS\"})", v => v >= 1);
        await prometheus.ValueWhenAsync(
            "sum(brokkr_ws_messages_total{job=\"brokkr-broker\", direction=\"in\", type=\"agent_event\"})", v => v >= 1);
        await prometheus.ValueWhenAsync("sum(brokkr_database_queries_total{job=\"brokkr-broker\"})", v => v > 0);
        await prometheus.ValueWhenAsync("sum(brokkr_heartbeats_received_total{job=\"brokkr-broker\"})", v => v >= 1);
        // A poll that received the deployment object.
        await prometheus.ValueWhenAsync("sum(brokkr_agent_poll_requests_total{job=\"brokkr-agent\", result=\"success\"})", v => v >= 1);
        await prometheus.ValueWhenAsync("sum(brokkr_agent_heartbeat_sent_total{job=\"brokkr-agent\"})", v => v >= 1);
        // Two objects applied (the namespace first), so at least two applies.
        await prometheus.ValueWhenAsync(
            "sum(brokkr_agent_kubernetes_operations_total{job=\"brokkr-agent\", operation=\"apply\", result=\"success\"})", v => v >= 2);
        await prometheus.ValueWhenAsync("sum(brokkr_agent_reconcile_objects_total{job=\"brokkr-agent\", action=\"applied\"})", v => v >= 2);
    }
}
