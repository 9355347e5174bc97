using System.Text.Json;
using System.Text.Json.Nodes;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Kubernetes;

namespace Brokkr.Tests.Agent.Loop;

/// <summary>
/// Diagnostics end to end: the admin asks the broker, the real agent claims the request on its next tick, collects
/// from the Kubernetes stand-in (pods attributed to the object, the namespace's events, bounded log tails) and the
/// result is read back through <c>GET /diagnostics/{id}</c>.
/// </summary>
[Collection(AgentLoopCollection.Name)]
public sealed class AgentDiagnosticsTests(RestartableBroker broker) : IClassFixture<RestartableBroker>
{
    private const string Manifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: default}
        spec: {replicas: 1}
        """;

    private static readonly Dictionary<string, string?> Caps = new()
    {
        ["Brokkr:Agent:diagnostics_log_tail_lines"] = "3",
        ["Brokkr:Agent:diagnostics_log_limit_bytes"] = "40",
    };

    [Fact]
    public async Task The_agent_claims_a_request_and_its_pods_events_and_bounded_log_tails_reach_the_broker()
    {
        Guid deployed = default;
        await using var rig = await AgentRig.StartAsync(broker, async r => deployed = await r.DeployAsync(await r.StackAsync(), Manifest), Caps);
        var workloads = rig.Kubernetes.Workloads;
        // A pod as a v1.36 server recorded it, stamped as a bare Pod applied by Brokkr would be; another that is not the object's.
        var pod = Fixtures.ReplayBody("replay-v1.36-job-create.json", 7)["items"]![0]!.AsObject().DeepClone().AsObject();
        pod["metadata"]!["annotations"] = new JsonObject { ["brokkr.io/deployment-object-id"] = deployed.ToString() };
        workloads.AddPod(pod);
        var podName = pod["metadata"]!["name"]!.GetValue<string>();
        var container = pod["spec"]!["containers"]![0]!["name"]!.GetValue<string>();
        workloads.AddPod(new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "unrelated", ["namespace"] = "default" },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "x", ["image"] = "x" }) },
        });
        workloads.SetLog("default", podName, container, string.Concat(Enumerable.Range(1, 10).Select(i => $"line {i}\n")));
        workloads.SetLog("default", "unrelated", "x", "not ours\n");
        workloads.AddEvent("default", "ReplicaSet", "web-5d9c", "Warning", "FailedCreate", "quota exceeded", count: 4);
        workloads.AddEvent("kube-system", "Pod", "dns", "Normal", "Pulled", "elsewhere");

        var id = (await broker.Admin.Send("POST", $"/deployment-objects/{deployed}/diagnostics",
            new { agent_id = rig.Agent.Id, requested_by = "oncall" }).Expect(201)).Id();
        await rig.TickAsync();

        var done = await CompletedAsync(id);
        var pods = JsonDocument.Parse(done.GetProperty("result").Str("pod_statuses")).RootElement;
        var status = Assert.Single(pods.EnumerateArray());
        Assert.Equal((podName, "default", "Failed"), (status.Str("name"), status.Str("namespace"), status.Str("phase")));
        var containerStatus = Assert.Single(status.GetProperty("containers").EnumerateArray());
        Assert.Equal((container, "terminated", "Error", false), (containerStatus.Str("name"), containerStatus.Str("state"),
            containerStatus.Str("state_reason"), containerStatus.GetProperty("ready").GetBoolean()));
        Assert.Contains(status.GetProperty("conditions").EnumerateArray(), c => c.Str("condition_type") == "Ready" && c.Str("status") == "False");

        // Events are the namespace's, whatever they are about.
        var events = JsonDocument.Parse(done.GetProperty("result").Str("events")).RootElement;
        var evt = Assert.Single(events.EnumerateArray());
        Assert.Equal(("Warning", "FailedCreate", "web-5d9c", "ReplicaSet", 4), (evt.Str("event_type"), evt.Str("reason"),
            evt.Str("involved_object"), evt.Str("involved_object_kind"), evt.GetProperty("count").GetInt32()));

        // The last three lines, then at most 40 bytes of them; the unrelated pod's log is not read.
        var tails = JsonDocument.Parse(done.GetProperty("result").Str("log_tails")).RootElement;
        Assert.Equal([$"{podName}/{container}"], tails.EnumerateObject().Select(p => p.Name));
        Assert.Equal("line 8\nline 9\nline 10\n", tails.GetProperty($"{podName}/{container}").GetString());
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_diagnostics_total", "outcome=\"submitted\""));
    }

    [Fact]
    public async Task A_log_longer_than_the_byte_cap_is_cut_and_a_cluster_refusal_still_completes_the_request()
    {
        Guid deployed = default;
        await using var rig = await AgentRig.StartAsync(broker, async r => deployed = await r.DeployAsync(await r.StackAsync(), Manifest), Caps);
        rig.Kubernetes.Workloads.AddPod(new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "web-1", ["namespace"] = "default",
                ["labels"] = new JsonObject { ["brokkr.io/deployment-object-id"] = deployed.ToString() },
            },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "app" }) },
            ["status"] = new JsonObject { ["phase"] = "Running" },
        });
        rig.Kubernetes.Workloads.SetLog("default", "web-1", "app", new string('x', 100) + "\n");

        var first = (await broker.Admin.Send("POST", $"/deployment-objects/{deployed}/diagnostics", new { agent_id = rig.Agent.Id }).Expect(201)).Id();
        await rig.TickAsync();
        var tails = JsonDocument.Parse((await CompletedAsync(first)).GetProperty("result").Str("log_tails")).RootElement;
        Assert.Equal(new string('x', 40), tails.GetProperty("web-1/app").GetString());

        // The agent may not list pods: it says so in the result instead of abandoning the request.
        rig.Kubernetes.Faults.FailAll(403, "GET", "/api/v1/namespaces/default/pods");
        var second = (await broker.Admin.Send("POST", $"/deployment-objects/{deployed}/diagnostics", new { agent_id = rig.Agent.Id }).Expect(201)).Id();
        await rig.TickAsync();
        var result = (await CompletedAsync(second)).GetProperty("result");
        Assert.Equal("[]", result.Str("pod_statuses"));
        Assert.Equal(JsonValueKind.Null, result.GetProperty("log_tails").ValueKind);
        var error = Assert.Single(JsonDocument.Parse(result.Str("events")).RootElement.EnumerateArray());
        Assert.False(string.IsNullOrEmpty(error.Str("error")));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_diagnostics_total", "outcome=\"collection_error\""));
    }

    [Fact]
    public async Task With_diagnostics_disabled_the_agent_leaves_requests_pending()
    {
        Guid deployed = default;
        await using var rig = await AgentRig.StartAsync(broker, async r => deployed = await r.DeployAsync(await r.StackAsync(), Manifest),
            new Dictionary<string, string?> { ["Brokkr:Agent:diagnostics_enabled"] = "false" });
        var id = (await broker.Admin.Send("POST", $"/deployment-objects/{deployed}/diagnostics", new { agent_id = rig.Agent.Id }).Expect(201)).Id();

        await rig.TickAsync();
        await rig.TickAsync();

        var pending = await broker.Client(rig.Agent.Pak).Send("GET", $"/agents/{rig.Agent.Id}/diagnostics/pending").Expect(200);
        Assert.Equal([id], pending.EnumerateArray().Select(r => r.Id()));
    }

    private Task<JsonElement> CompletedAsync(Guid id) => Poll.UntilAsync(
        () => broker.Admin.Send("GET", $"/diagnostics/{id}").Expect(200),
        d => d.GetProperty("request").Str("status") == "completed", TimeSpan.FromSeconds(30), "diagnostic completed");
}
