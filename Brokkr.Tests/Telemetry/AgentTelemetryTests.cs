using System.Text.Json;
using System.Text.Json.Nodes;
using Brokkr.Tests.Agent.Loop;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Channel;

namespace Brokkr.Tests.Telemetry;

/// <summary>
/// The real agent streaming telemetry from the Kubernetes stand-in over its channel to the real broker: the events
/// about objects it applied (and not others), and the log lines of pods that opt in with <c>brokkr.io/stream-logs</c>.
/// </summary>
[Collection(AgentLoopCollection.Name)]
public sealed class AgentTelemetryTests(RestartableBroker broker) : IClassFixture<RestartableBroker>
{
    private const string Manifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: default}
        spec: {replicas: 1}
        """;

    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);

    private static readonly Dictionary<string, string?> ChannelOn = new()
    {
        ["Brokkr:Agent:ws_force_rest"] = "false",
        ["Brokkr:Agent:polling_interval"] = "300",
    };

    [Fact]
    public async Task Events_about_applied_objects_and_opted_in_pod_logs_reach_the_broker_over_the_channel()
    {
        Guid stack = default;
        await using var rig = await AgentRig.StartAsync(broker, async r =>
        {
            stack = await r.StackAsync();
            await r.DeployAsync(stack, Manifest);
        }, ChannelOn);
        await ChannelAssert.ListedAsync(broker.Admin, rig.Agent.Id);
        await rig.TickAsync();
        Assert.NotNull(rig.ClusterObject("deployments", "default", "web"));

        var workloads = rig.Kubernetes.Workloads;
        workloads.AddPod(Pod("web-1", optIn: true));
        workloads.AddPod(Pod("web-quiet", optIn: false));
        workloads.AddPod(new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "stranger", ["namespace"] = "default", ["annotations"] = new JsonObject { ["brokkr.io/stream-logs"] = "true" } },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "x" }) },
        });
        workloads.SetLog("default", "web-1", "app", "hello\nworld\n");
        workloads.SetLog("default", "web-quiet", "app", "not opted in\n");
        workloads.SetLog("default", "stranger", "app", "not ours\n");
        workloads.AddEvent("default", "Deployment", "web", "Warning", "ScalingReplicaSet", "scaled up");
        workloads.AddEvent("default", "Pod", "web-1", "Normal", "Pulled", "image pulled");
        workloads.AddEvent("default", "Pod", "stranger", "Normal", "Pulled", "not ours");

        var events = await PollAsync($"/stacks/{stack}/events", b => b.GetProperty("events").GetArrayLength() >= 2);
        var rows = events.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["Pulled", "ScalingReplicaSet"], rows.Select(r => r.Str("reason")).Order());
        Assert.DoesNotContain(rows, r => r.Str("message") == "not ours");
        Assert.Contains(rows, r => r.GetProperty("involved_object").Str("kind") == "Deployment" && r.GetProperty("involved_object").Str("api_version") == "apps/v1");
        Assert.All(rows, r => Assert.Equal(rig.Agent.Id, r.Id("agent_id")));

        await PollAsync($"/stacks/{stack}/logs", b => b.GetProperty("lines").GetArrayLength() >= 2);
        workloads.SetLog("default", "web-1", "app", "hello\nworld\nagain\n");
        var logs = await PollAsync($"/stacks/{stack}/logs", b => b.GetProperty("lines").GetArrayLength() >= 3);
        var lines = logs.GetProperty("lines").EnumerateArray().ToList();
        // Each line once: what was sent is not sent again when the log grows.
        Assert.Equal(["again", "hello", "world"], lines.Select(l => l.Str("line")).Order());
        Assert.All(lines, l => Assert.Equal(("web-1", "app"), (l.Str("pod"), l.Str("container"))));
    }

    /// <summary>A pod owned by the applied Deployment (directly: the stand-in runs no ReplicaSet controller).</summary>
    private static JsonObject Pod(string name, bool optIn) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = name, ["namespace"] = "default",
            ["annotations"] = optIn ? new JsonObject { ["brokkr.io/stream-logs"] = "true" } : new JsonObject(),
            ["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = "web", ["uid"] = Guid.NewGuid().ToString(), ["controller"] = true,
            }),
        },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "x" }) },
    };

    private async Task<JsonElement> PollAsync(string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + Soon;
        while (true)
        {
            var body = await broker.Admin.Send("GET", path).Expect(200);
            if (done(body))
            {
                return body;
            }
            Assert.True(DateTime.UtcNow < deadline, $"not in time: {body}");
            await Task.Delay(100);
        }
    }
}
