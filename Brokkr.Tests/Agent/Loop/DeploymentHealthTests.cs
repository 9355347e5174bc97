using System.Text.Json;
using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn;
using Brokkr.KubernetesStandIn.Discovery;
using Brokkr.KubernetesStandIn.Fixtures;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Agent.Loop;

/// <summary>Pods traced to their deployment object through ReplicaSet and Deployment, judged, and reported to the broker.</summary>
[Collection(AgentLoopCollection.Name)]
public sealed class DeploymentHealthTests(RestartableBroker broker) : IClassFixture<RestartableBroker>
{
    [Fact]
    public async Task Pod_health_of_the_applied_revision_reaches_the_broker()
    {
        Guid deployed = default;
        await using var rig = await AgentRig.StartAsync(broker,
            async r => deployed = await r.DeployAsync(await r.StackAsync(), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: default}
                spec: {replicas: 2}
                """),
            new Dictionary<string, string?> { ["Brokkr:Agent:deployment_health_interval"] = AgentRig.PollingInterval.TotalSeconds.ToString() });
        // The first report ran with the Deployment but no pods yet.
        Assert.Equal("unknown", (await HealthAsync(deployed)).Status);

        // What a Deployment controller would create: a ReplicaSet owned by it, pods owned by the ReplicaSet.
        var catalog = new DiscoveryCatalog(RecordedFixtures.Embedded);
        var web = rig.ClusterObject("deployments", "default", "web")!;
        Put(rig, catalog, "apps/v1", "ReplicaSet", "web-5d9c", Owner("apps/v1", "Deployment", web));
        var replicaSet = rig.ClusterObject("replicasets", "default", "web-5d9c")!;
        var crashing = PodHealthTests.Pod("web-5d9c-a", ready: false, waiting: "CrashLoopBackOff");
        var healthy = PodHealthTests.Pod("web-5d9c-b");
        foreach (var pod in new[] { crashing, healthy })
        {
            pod["metadata"]!["ownerReferences"] = new JsonArray(Owner("apps/v1", "ReplicaSet", replicaSet));
            pod["metadata"]!["uid"] = Guid.NewGuid().ToString();
            rig.Kubernetes.Store.Put(catalog.FindByKind("v1", "Pod")!, "default", pod["metadata"]!["name"]!.GetValue<string>(), pod);
        }

        await rig.TickAsync();

        var (status, summary) = await HealthAsync(deployed);
        Assert.Equal("degraded", status);
        Assert.Equal(2, summary.GetProperty("pods_total").GetInt32());
        Assert.Equal(1, summary.GetProperty("pods_ready").GetInt32());
        Assert.Equal(["CrashLoopBackOff"], summary.GetProperty("conditions").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("web-5d9c-a", summary.GetProperty("resources")[0].GetProperty("name").GetString());
    }

    private async Task<(string Status, JsonElement Summary)> HealthAsync(Guid deploymentObject)
    {
        var health = await broker.Admin.Send("GET", $"/deployment-objects/{deploymentObject}/health").Expect(200);
        var record = Assert.Single(health.GetProperty("health_records").EnumerateArray());
        var summary = record.GetProperty("summary").GetString();
        return (record.Str("status"), summary is null ? default : JsonDocument.Parse(summary).RootElement.Clone());
    }

    private static JsonObject Owner(string apiVersion, string kind, JsonObject owner) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = owner["metadata"]!["name"]!.GetValue<string>(),
        ["uid"] = owner["metadata"]?["uid"]?.GetValue<string>() ?? Guid.NewGuid().ToString(),
        ["controller"] = true,
    };

    private static void Put(AgentRig rig, DiscoveryCatalog catalog, string apiVersion, string kind, string name, JsonObject owner) =>
        rig.Kubernetes.Store.Put(catalog.FindByKind(apiVersion, kind)!, "default", name, new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = kind,
            ["metadata"] = new JsonObject
            {
                ["name"] = name, ["namespace"] = "default", ["uid"] = Guid.NewGuid().ToString(),
                ["resourceVersion"] = rig.Kubernetes.Store.NextResourceVersion(),
                ["ownerReferences"] = new JsonArray(owner),
            },
        });
}
