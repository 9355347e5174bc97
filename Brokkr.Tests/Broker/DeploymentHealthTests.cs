using System.Text.Json;

namespace Brokkr.Tests.Broker;

/// <summary>Deployment health (spec §1.10, §4.5, §4.9): agents upsert verdicts, the admin reads roll-ups.</summary>
public sealed class DeploymentHealthTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private readonly Fleet _fleet = new(broker);

    [Fact]
    public async Task Reports_are_upserted_per_agent_and_rolled_up_per_object_and_stack()
    {
        var generator = await _fleet.GeneratorAsync();
        var stack = await _fleet.StackAsync(generator);
        var older = (await _fleet.DeploymentObjectAsync(generator, stack, "a: 1")).Id();
        var newer = (await _fleet.DeploymentObjectAsync(generator, stack, "a: 2")).Id();
        var one = await _fleet.AgentAsync(generator.Id);
        var two = await _fleet.AgentAsync(generator.Id);

        var summary = new { pods_ready = 1, pods_total = 2, conditions = new[] { "ImagePullBackOff" }, resources = Array.Empty<object>() };
        await ReportAsync(one, (newer, "healthy", null), (older, "unknown", null));
        await ReportAsync(two, (newer, "healthy", null));
        // A second report from the same agent replaces its row.
        await ReportAsync(two, (newer, "degraded", summary));
        await ReportAsync(two); // an empty list is fine

        var health = await _fleet.Admin.Send("GET", $"/deployment-objects/{newer}/health").Expect(200);
        Assert.Equal(newer, health.Id("deployment_object_id"));
        Assert.Equal("degraded", health.Str("overall_status"));
        var records = health.GetProperty("health_records").EnumerateArray().ToList();
        Assert.Equal(2, records.Count);
        var degraded = Assert.Single(records, r => r.Id("agent_id") == two.Id);
        Assert.Equal("degraded", degraded.Str("status"));
        // summary is served as JSON text, as upstream stores it.
        var stored = JsonDocument.Parse(degraded.Str("summary")).RootElement;
        Assert.Equal(2, stored.GetProperty("pods_total").GetInt32());
        Assert.Equal(JsonValueKind.Null, Assert.Single(records, r => r.Id("agent_id") == one.Id).GetProperty("summary").ValueKind);

        var stackHealth = await _fleet.Admin.Send("GET", $"/stacks/{stack}/health").Expect(200);
        Assert.Equal("degraded", stackHealth.Str("overall_status"));
        var objects = stackHealth.GetProperty("deployment_objects").EnumerateArray().ToList();
        Assert.Equal([newer, older], objects.Select(o => o.Id()));
        Assert.Equal((1, 1, 0), (objects[0].GetProperty("healthy_agents").GetInt32(), objects[0].GetProperty("degraded_agents").GetInt32(),
            objects[0].GetProperty("failing_agents").GetInt32()));
        Assert.Equal("unknown", objects[1].Str("status"));

        var unknown = await _fleet.Admin.Send("GET", $"/deployment-objects/{Guid.NewGuid()}/health").Expect(200);
        Assert.Equal("unknown", unknown.Str("overall_status"));
        Assert.Equal(0, unknown.GetProperty("health_records").GetArrayLength());
    }

    [Theory]
    [InlineData(new[] { "healthy", "unknown" }, "healthy")]
    [InlineData(new[] { "healthy", "degraded", "failing" }, "failing")]
    [InlineData(new[] { "unknown" }, "unknown")]
    [InlineData(new string[0], "unknown")]
    public void Roll_up_takes_the_worst_known_verdict(string[] statuses, string expected) =>
        Assert.Equal(expected, Brokkr.Broker.Api.V1.Health.DeploymentHealthApi.RollUp(statuses));

    private Task ReportAsync(Tenant agent, params (Guid Id, string Status, object? Summary)[] entries) =>
        broker.Client(agent.Pak).Send("PATCH", $"/agents/{agent.Id}/health-status", new
        {
            deployment_objects = entries.Select(e => new { id = e.Id, status = e.Status, summary = e.Summary, checked_at = DateTimeOffset.UtcNow }),
        }).Expect(200);
}
