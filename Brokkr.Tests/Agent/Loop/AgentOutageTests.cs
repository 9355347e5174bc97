using System.Text.Json;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Agent.Loop;

/// <summary>Broker and Kubernetes outages: backoff, health endpoints that say so (in the spec's words), and recovery.</summary>
[Collection(AgentLoopCollection.Name)]
public sealed class AgentOutageTests(RestartableBroker broker) : IClassFixture<RestartableBroker>
{
    private const string Discovery = "operation=\"discovery\",result=\"success\"";

    [Fact]
    public async Task While_the_broker_is_down_the_agent_backs_off_with_jitter_keeps_serving_healthz_and_then_recovers()
    {
        var interval = AgentRig.PollingInterval;
        await using var rig = await AgentRig.StartAsync(broker,
            settings: new Dictionary<string, string?> { ["Brokkr:Agent:max_backoff_seconds"] = "40" });
        Assert.Equal(interval, rig.Clock.RequestedDelays[^1]);
        Assert.Equal((200, "Ready"), await rig.GetProbeAsync("/readyz"));

        await broker.StopAsync();
        try
        {
            var delays = new List<TimeSpan>();
            for (var i = 0; i < 4; i++)
            {
                delays.Add(await rig.TickAsync());
            }

            // Doubling from twice the interval, capped at 40 s, each drawn from the upper half of its bound.
            TimeSpan[] bounds = [2 * interval, 4 * interval, 4 * interval, 4 * interval];
            for (var i = 0; i < delays.Count; i++)
            {
                Assert.InRange(delays[i], bounds[i] / 2, bounds[i]);
            }

            Assert.Equal((200, "OK"), await rig.GetProbeAsync("/healthz"));
            Assert.Equal((503, "broker unavailable"), await rig.GetProbeAsync("/readyz"));
            var (status, health) = await rig.GetHealthAsync();
            Assert.Equal(503, status);
            Assert.Equal("unhealthy", health.GetProperty("status").GetString());
            // brokkr-core.md §6: exactly these members, optional ones omitted when absent, nothing else.
            Assert.Equal(["status", "kubernetes", "broker", "uptime_seconds", "version", "timestamp"], Members(health));
            Assert.Equal(["connected", "last_heartbeat"], Members(health.GetProperty("broker")));
            Assert.False(health.GetProperty("broker").GetProperty("connected").GetBoolean());
            Assert.Equal(["connected"], Members(health.GetProperty("kubernetes")));
            Assert.True(health.GetProperty("kubernetes").GetProperty("connected").GetBoolean());
            Assert.Equal(5, await rig.MetricAsync("brokkr_agent_heartbeat_sent_total"));
            Assert.Equal(4, await rig.MetricAsync("brokkr_agent_poll_requests_total", "result=\"error\""));
        }
        finally
        {
            await broker.RestartAsync();
        }

        var stack = await rig.StackAsync();
        var deployed = await rig.DeployAsync(stack, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: after-outage, namespace: default}\n");
        Assert.Equal(interval, await rig.TickAsync());
        Assert.Equal("SUCCESS", (await rig.EventsAsync())[deployed].Status);
        Assert.Equal((200, "Ready"), await rig.GetProbeAsync("/readyz"));
        Assert.True((await rig.GetHealthAsync()).Body.GetProperty("broker").GetProperty("connected").GetBoolean());
    }

    [Fact]
    public async Task Readiness_and_health_follow_the_heartbeats_Kubernetes_measurement_while_liveness_stays_up()
    {
        await using var rig = await AgentRig.StartAsync(broker);
        var (status, health) = await rig.GetHealthAsync();
        Assert.Equal(200, status);
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.True(health.GetProperty("broker").GetProperty("connected").GetBoolean());
        Assert.Equal(rig.Clock.GetUtcNow(), health.GetProperty("broker").GetProperty("last_heartbeat").GetDateTimeOffset());
        Assert.False(health.GetProperty("kubernetes").TryGetProperty("error", out _));
        var versionCalls = await rig.MetricAsync("brokkr_agent_kubernetes_operations_total", Discovery);

        // Kubelet probes read the last heartbeat's measurement: none reaches the API, none is counted.
        rig.Kubernetes.Faults.FailAll(503, method: "GET", pathPrefix: "/version");
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal((200, "Ready"), await rig.GetProbeAsync("/readyz"));
            Assert.Equal(200, (await rig.GetHealthAsync()).Status);
        }

        Assert.Equal(0, rig.Kubernetes.Faults.InjectedCount);
        Assert.Equal(versionCalls, await rig.MetricAsync("brokkr_agent_kubernetes_operations_total", Discovery));

        // The next heartbeat measures the outage, reports it to the broker, and the probes follow.
        await rig.TickAsync();
        Assert.Equal((200, "OK"), await rig.GetProbeAsync("/healthz"));
        Assert.Equal((503, "Kubernetes API unavailable"), await rig.GetProbeAsync("/readyz"));
        (status, health) = await rig.GetHealthAsync();
        Assert.Equal(503, status);
        Assert.False(health.GetProperty("kubernetes").GetProperty("connected").GetBoolean());
        Assert.Contains("unable to handle the request", health.GetProperty("kubernetes").GetProperty("error").GetString());
        var agent = await broker.Admin.Send("GET", $"/agents/{rig.Agent.Id}").Expect(200);
        Assert.False(agent.GetProperty("k8s_reachable").GetBoolean());

        rig.Kubernetes.Faults.Clear();
        await rig.TickAsync();
        Assert.Equal((200, "Ready"), await rig.GetProbeAsync("/readyz"));
        agent = await broker.Admin.Send("GET", $"/agents/{rig.Agent.Id}").Expect(200);
        Assert.True(agent.GetProperty("k8s_reachable").GetBoolean());
    }

    [Fact]
    public async Task An_unreadable_token_file_is_reported_as_Kubernetes_unreachable_and_the_heartbeat_still_goes_out()
    {
        await using var rig = await AgentRig.StartAsync(broker, tokenFile: true);
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_heartbeat_sent_total"));

        // The token rotates, and the file can no longer be read: the 401 makes the client re-read it, which fails.
        File.Delete(rig.Kubeconfig.TokenFile);
        rig.Kubernetes.RequiredToken = "rotated";
        await rig.TickAsync();

        Assert.Equal(2, await rig.MetricAsync("brokkr_agent_heartbeat_sent_total"));
        var agent = await broker.Admin.Send("GET", $"/agents/{rig.Agent.Id}").Expect(200);
        Assert.False(agent.GetProperty("k8s_reachable").GetBoolean());
        var (_, health) = await rig.GetHealthAsync();
        Assert.Contains("cannot read the token file", health.GetProperty("kubernetes").GetProperty("error").GetString());

        File.WriteAllText(rig.Kubeconfig.TokenFile, "rotated");
        await rig.TickAsync();
        agent = await broker.Admin.Send("GET", $"/agents/{rig.Agent.Id}").Expect(200);
        Assert.True(agent.GetProperty("k8s_reachable").GetBoolean());
    }

    [Fact]
    public async Task While_startup_waits_for_the_broker_health_reports_it_connected_as_the_spec_starts_it_but_not_ready()
    {
        await using var rig = await AgentRig.StartAsync(broker, _ => broker.StopAsync());
        try
        {
            // Startup is between readiness attempts (its 1 s wait): no heartbeat yet.
            Assert.Equal(TimeSpan.FromSeconds(1), rig.Clock.RequestedDelays[^1]);
            var (status, health) = await rig.GetHealthAsync();
            Assert.Equal(503, status);
            Assert.True(health.GetProperty("broker").GetProperty("connected").GetBoolean());
            Assert.Equal(["connected"], Members(health.GetProperty("broker")));
            Assert.Equal((503, "broker unavailable"), await rig.GetProbeAsync("/readyz"));
            Assert.Equal((200, "OK"), await rig.GetProbeAsync("/healthz"));
        }
        finally
        {
            await broker.RestartAsync();
        }

        Assert.Equal(AgentRig.PollingInterval, await rig.TickAsync());
        Assert.Equal((200, "Ready"), await rig.GetProbeAsync("/readyz"));
        Assert.Equal(["connected", "last_heartbeat"], Members((await rig.GetHealthAsync()).Body.GetProperty("broker")));
    }

    private static List<string> Members(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToList();
}
