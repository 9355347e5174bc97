using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Agent.Loop;

/// <summary>Broker and Kubernetes outages: backoff, health endpoints that say so, and recovery.</summary>
[Collection(AgentLoopCollection.Name)]
public sealed class AgentOutageTests(RestartableBroker broker) : IClassFixture<RestartableBroker>
{
    [Fact]
    public async Task While_the_broker_is_down_the_agent_backs_off_with_jitter_keeps_serving_healthz_and_then_recovers()
    {
        var interval = AgentRig.PollingInterval;
        await using var rig = await AgentRig.StartAsync(broker,
            settings: new Dictionary<string, string?> { ["Brokkr:Agent:max_backoff_seconds"] = "40" });
        Assert.Equal(interval, rig.Clock.RequestedDelays[^1]);
        Assert.Equal(200, (await rig.GetHealthAsync("/readyz")).Status);

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

            Assert.Equal(200, (await rig.GetHealthAsync("/healthz")).Status);
            Assert.Equal(503, (await rig.GetHealthAsync("/readyz")).Status);
            var (status, health) = await rig.GetHealthAsync("/health");
            Assert.Equal(503, status);
            Assert.Equal("unhealthy", health.GetProperty("status").GetString());
            Assert.False(health.GetProperty("broker").GetProperty("connected").GetBoolean());
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
        Assert.Equal(200, (await rig.GetHealthAsync("/readyz")).Status);
        Assert.True((await rig.GetHealthAsync("/health")).Body.GetProperty("broker").GetProperty("connected").GetBoolean());
    }

    [Fact]
    public async Task Readiness_and_health_follow_the_Kubernetes_API_while_liveness_stays_up()
    {
        await using var rig = await AgentRig.StartAsync(broker);
        var (status, health) = await rig.GetHealthAsync("/health");
        Assert.Equal(200, status);
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.True(health.GetProperty("broker").GetProperty("connected").GetBoolean());
        Assert.Equal(rig.Clock.GetUtcNow(), health.GetProperty("broker").GetProperty("last_heartbeat").GetDateTimeOffset());
        Assert.False(health.GetProperty("kubernetes").TryGetProperty("error", out _));

        rig.Kubernetes.Faults.FailAll(503, method: "GET", pathPrefix: "/version");
        Assert.Equal(200, (await rig.GetHealthAsync("/healthz")).Status);
        Assert.Equal(503, (await rig.GetHealthAsync("/readyz")).Status);
        (status, health) = await rig.GetHealthAsync("/health");
        Assert.Equal(503, status);
        Assert.False(health.GetProperty("kubernetes").GetProperty("connected").GetBoolean());
        Assert.Contains("unable to handle the request", health.GetProperty("kubernetes").GetProperty("error").GetString());

        // The heartbeat reports the outage to the broker too.
        await rig.TickAsync();
        var agent = await broker.Admin.Send("GET", $"/agents/{rig.Agent.Id}").Expect(200);
        Assert.False(agent.GetProperty("k8s_reachable").GetBoolean());

        rig.Kubernetes.Faults.Clear();
        Assert.Equal(200, (await rig.GetHealthAsync("/readyz")).Status);
        await rig.TickAsync();
        agent = await broker.Admin.Send("GET", $"/agents/{rig.Agent.Id}").Expect(200);
        Assert.True(agent.GetProperty("k8s_reachable").GetBoolean());
    }
}
