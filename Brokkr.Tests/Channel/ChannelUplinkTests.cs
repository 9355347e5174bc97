using System.Net.WebSockets;
using System.Text.Json;
using Brokkr.Broker.Api.V1.Health;
using Brokkr.Tests.Broker;
using Brokkr.Tests.BrokerMetrics;
using Brokkr.Wire;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.Tests.Channel;

/// <summary>
/// The agent's control uplink frames (<c>agent_event</c>, <c>agent_health</c>) land as their REST calls do, only ever
/// as the connection's own agent, and a frame REST would refuse is dropped without ending the connection.
/// </summary>
public sealed class ChannelUplinkTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private readonly Fleet _fleet = new(broker);

    [Fact]
    public async Task An_agent_event_frame_is_stored_like_POST_events()
    {
        var (agent, deploymentObject) = await AgentWithObjectAsync();
        await using var client = await ConnectedAsync(agent);

        await client.SendAsync(Event(agent.Id, deploymentObject, "FAILURE", "namespace payments not found"));

        var stored = await ChannelAssert.EventuallyAsync(async () => (await EventsAsync(agent)).Select(e => (JsonElement?)e).FirstOrDefault());
        Assert.Equal(deploymentObject, stored.Id("deployment_object_id"));
        Assert.Equal("DEPLOY", stored.Str("event_type"));
        Assert.Equal("FAILURE", stored.Str("status"));
        Assert.Equal("namespace payments not found", stored.Str("message"));
    }

    [Fact]
    public async Task An_agent_health_frame_is_upserted_like_PATCH_health_status()
    {
        var (agent, deploymentObject) = await AgentWithObjectAsync();
        await using var client = await ConnectedAsync(agent);

        await client.SendAsync(Health(agent.Id, deploymentObject, "degraded", """{"pods_ready":1,"pods_total":2}"""));

        var record = await ChannelAssert.EventuallyAsync(async () => (await HealthRecordsAsync(deploymentObject)).Select(e => (JsonElement?)e).FirstOrDefault());
        Assert.Equal(agent.Id, record.Id("agent_id"));
        Assert.Equal("degraded", record.Str("status"));
        var summary = record.GetProperty("summary");
        var pods = summary.ValueKind == JsonValueKind.String ? JsonDocument.Parse(summary.GetString()!).RootElement : summary;
        Assert.Equal(2, pods.GetProperty("pods_total").GetInt32());
    }

    [Fact]
    public async Task Health_frames_of_several_agents_land_with_the_last_verdict_of_each_object_winning()
    {
        var (first, firstObject) = await AgentWithObjectAsync();
        var (second, secondObject) = await AgentWithObjectAsync();
        await using var firstClient = await ConnectedAsync(first);
        await using var secondClient = await ConnectedAsync(second);

        await firstClient.SendAsync(Health(first.Id, Guid.NewGuid(), "failing", null)); // an object that does not exist
        await firstClient.SendAsync(Health(first.Id, firstObject, "degraded", null));
        await secondClient.SendAsync(Health(second.Id, secondObject, "failing", null));
        await firstClient.SendAsync(Health(first.Id, firstObject, "healthy", null));

        await ChannelAssert.EventuallyAsync(async () => (await HealthRecordsAsync(firstObject)).Select(r => (JsonElement?)r).FirstOrDefault(r => r!.Value.Str("status") == "healthy"));
        Assert.Equal("failing", (await ChannelAssert.EventuallyAsync(async () => (await HealthRecordsAsync(secondObject)).Select(r => (JsonElement?)r).FirstOrDefault())).Str("status"));
        Assert.Single(await HealthRecordsAsync(firstObject));
    }

    [Fact]
    public async Task A_batch_of_verdicts_skips_entries_whose_object_is_gone_and_stores_the_rest()
    {
        var (agent, deploymentObject) = await AgentWithObjectAsync();
        await using (var scope = broker.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Brokkr.Broker.Data.BrokkrDbContext>();
            await DeploymentHealthReports.WriteAsync(db, [
                new AgentHealthUpdate(agent.Id, new DeploymentObjectHealthUpdate(Guid.NewGuid(), "failing", DateTimeOffset.UtcNow)),
                new AgentHealthUpdate(Guid.NewGuid(), new DeploymentObjectHealthUpdate(deploymentObject, "failing", DateTimeOffset.UtcNow)),
                new AgentHealthUpdate(agent.Id, new DeploymentObjectHealthUpdate(deploymentObject, "degraded", DateTimeOffset.UtcNow)),
            ], skipUnknown: true);
        }

        var record = Assert.Single(await HealthRecordsAsync(deploymentObject));
        Assert.Equal((agent.Id, "degraded"), (record.Id("agent_id"), record.Str("status")));
    }

    [Fact]
    public async Task A_report_the_database_refuses_is_counted_as_a_write_failure_and_the_socket_stays_open()
    {
        var (agent, _) = await AgentWithObjectAsync();
        // This host's own meter: the other hosts of the test process count drops of their own.
        using var meter = new MeterReader(broker.Services.GetRequiredService<Brokkr.Broker.Metrics.BrokerMeter>().Meter);
        await using var client = await ConnectedAsync(agent);

        // An event about an object that does not exist breaks its foreign key: the frame cannot be stored.
        await client.SendAsync(Event(agent.Id, Guid.NewGuid(), "SUCCESS", null));

        await MeterReader.WaitUntilAsync(() => meter.Sum("brokkr_ws_messages_dropped_total", ("reason", "write_failed")) == 1);
        Assert.Equal(1, meter.Sum("brokkr_ws_messages_dropped_total", ("reason", "write_failed")));
        Assert.Empty(await EventsAsync(agent));
        Assert.Equal(WebSocketState.Open, client.Socket.State);
    }

    [Fact]
    public async Task Frames_naming_another_agent_change_nothing_of_that_agent()
    {
        var (victim, deploymentObject) = await AgentWithObjectAsync();
        var impostor = await _fleet.AgentAsync();
        await using var client = await ConnectedAsync(impostor);

        await client.SendAsync(new HeartbeatMessage(new WireHeartbeat(victim.Id, DateTime.UtcNow, K8sReachable: false)));
        await client.SendAsync(Event(victim.Id, deploymentObject, "SUCCESS", null));
        await client.SendAsync(Health(victim.Id, deploymentObject, "failing", null));
        // A frame of its own after them: once it is applied, the three before it have been handled (one reader, in order).
        await client.SendAsync(new HeartbeatMessage(new WireHeartbeat(impostor.Id, DateTime.UtcNow)));
        await ChannelAssert.EventuallyAsync(async () =>
        {
            var self = await broker.Client().Send("GET", $"/agents/{impostor.Id}").Expect(200);
            return self.GetProperty("last_heartbeat").ValueKind == JsonValueKind.Null ? (bool?)null : true;
        });

        var record = await broker.Client().Send("GET", $"/agents/{victim.Id}").Expect(200);
        Assert.Equal(JsonValueKind.Null, record.GetProperty("last_heartbeat").ValueKind);
        Assert.Empty(await EventsAsync(victim));
        Assert.Empty(await HealthRecordsAsync(deploymentObject));
        Assert.Equal(WebSocketState.Open, client.Socket.State);
    }

    [Fact]
    public async Task A_frame_REST_would_refuse_is_dropped_and_the_connection_stays_open()
    {
        var (agent, deploymentObject) = await AgentWithObjectAsync();
        await using var client = await ConnectedAsync(agent);

        await client.SendAsync(Event(agent.Id, deploymentObject, "MAYBE", null));
        await client.SendAsync(Health(agent.Id, deploymentObject, "sideways", null));
        await client.SendAsync(Event(agent.Id, deploymentObject, "SUCCESS", null));

        var stored = await ChannelAssert.EventuallyAsync(async () => (await EventsAsync(agent)).Select(e => (JsonElement?)e).FirstOrDefault());
        Assert.Equal("SUCCESS", stored.Str("status"));
        Assert.Single(await EventsAsync(agent));
        Assert.Empty(await HealthRecordsAsync(deploymentObject));
        Assert.Equal(WebSocketState.Open, client.Socket.State);
    }

    private static AgentEventMessage Event(Guid agentId, Guid deploymentObject, string status, string? message) =>
        new(new WireAgentEvent(Guid.NewGuid(), DateTime.UtcNow, DateTime.UtcNow, null, agentId, deploymentObject, "DEPLOY", status, message));

    private static AgentHealthMessage Health(Guid agentId, Guid deploymentObject, string status, string? summary) =>
        new(new WireDeploymentHealth(Guid.NewGuid(), agentId, deploymentObject, status, summary, DateTime.UtcNow, DateTime.UtcNow, DateTime.UtcNow));

    private async Task<(Tenant Agent, Guid DeploymentObject)> AgentWithObjectAsync()
    {
        var generator = await _fleet.GeneratorAsync();
        var agent = await _fleet.AgentAsync(generator.Id);
        var stack = await _fleet.StackAsync(generator);
        await _fleet.TargetAsync(generator, agent, stack);
        return (agent, (await _fleet.DeploymentObjectAsync(generator, stack)).Id());
    }

    private Task<ChannelClient> ConnectedAsync(Tenant agent) =>
        ChannelClient.ConnectListedAsync(broker.BaseAddress, broker.Client(), agent);

    private async Task<List<JsonElement>> EventsAsync(Tenant agent) =>
        [.. (await broker.Client().Send("GET", $"/agents/{agent.Id}/events").Expect(200)).EnumerateArray()];

    private async Task<List<JsonElement>> HealthRecordsAsync(Guid deploymentObject) =>
        [.. (await broker.Client().Send("GET", $"/deployment-objects/{deploymentObject}/health").Expect(200))
            .GetProperty("health_records").EnumerateArray()];
}
