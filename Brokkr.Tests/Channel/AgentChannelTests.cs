using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Brokkr.Broker.AgentChannel;
using Brokkr.Tests.Broker;
using Brokkr.Tests.BrokerMetrics;
using Brokkr.Wire;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.Tests.Channel;

/// <summary>The broker's end of the agent channel: auth at upgrade, the connection list, heartbeats, bounded queues.</summary>
public sealed class AgentChannelTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);
    private readonly Fleet _fleet = new(broker);

    [Fact]
    public async Task An_upgrade_without_a_PAK_or_with_a_wrong_one_is_401_and_opens_no_socket()
    {
        var agent = await _fleet.AgentAsync();
        var wrong = agent.Pak[..^4] + (agent.Pak.EndsWith("AAAA") ? "BBBB" : "AAAA");

        Assert.Equal(HttpStatusCode.Unauthorized, await ChannelClient.RefusedStatusAsync(broker.BaseAddress, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await ChannelClient.RefusedStatusAsync(broker.BaseAddress, wrong));
        Assert.Equal(HttpStatusCode.Forbidden, await ChannelClient.RefusedStatusAsync(broker.BaseAddress, BrokerHost.DevAdminPak));
        var listed = await broker.Client().Send("GET", "/admin/ws/connections").Expect(200);
        Assert.DoesNotContain(listed.GetProperty("connections").EnumerateArray(), c => c.Id("agent_id") == agent.Id);
    }

    [Fact]
    public async Task A_connected_agent_is_listed_and_its_channel_heartbeat_updates_it_like_REST()
    {
        var agent = await _fleet.AgentAsync();
        await using var client = await ChannelClient.ConnectAsync(broker.BaseAddress, agent.Pak);

        var entry = await ChannelAssert.EventuallyAsync(async () => (await ConnectionsAsync()).Where(c => c.Id("agent_id") == agent.Id).Select(c => (JsonElement?)c).SingleOrDefault());
        Assert.True(entry.GetProperty("connected_since").GetDateTime() > DateTime.UtcNow.AddMinutes(-1));
        var listed = await broker.Client().Send("GET", "/admin/ws/connections").Expect(200);
        Assert.True(listed.GetProperty("connected_agents").GetInt32() >= 1);
        Assert.Equal(0, listed.GetProperty("live_subscribers").GetInt32());
        await broker.Client(agent.Pak).Send("GET", "/admin/ws/connections").ExpectError(403, "admin_required");

        await client.SendAsync(new HeartbeatMessage(new WireHeartbeat(agent.Id, DateTime.UtcNow, K8sReachable: true, K8sApiLatencyMs: 42)));

        var record = await ChannelAssert.EventuallyAsync(async () =>
        {
            var a = await broker.Client().Send("GET", $"/agents/{agent.Id}").Expect(200);
            return a.GetProperty("last_heartbeat").ValueKind == JsonValueKind.Null ? (JsonElement?)null : a;
        });
        Assert.True(record.GetProperty("k8s_reachable").GetBoolean());
        Assert.Equal(42, record.GetProperty("k8s_api_latency_ms").GetInt32());
        // messages_out is not asserted: the agent's own creation may still be pushed to it as a target_changed nudge.
        await ChannelAssert.EventuallyAsync(async () => (await ConnectionsAsync())
            .Where(c => c.Id("agent_id") == agent.Id && c.GetProperty("messages_in").GetInt64() == 1).Select(c => (JsonElement?)c).SingleOrDefault());
    }

    [Fact]
    public async Task A_stalled_agents_queue_drops_with_a_counted_reason_while_other_agents_still_receive()
    {
        var stalled = await _fleet.AgentAsync();
        var reading = await _fleet.AgentAsync();
        await using var stalledClient = await ChannelClient.ConnectAsync(broker.BaseAddress, stalled.Pak); // never reads
        await using var readingClient = await ChannelClient.ConnectAsync(broker.BaseAddress, reading.Pak);
        var connections = broker.Services.GetRequiredService<AgentConnections>();
        await ChannelAssert.EventuallyAsync(() => Task.FromResult(connections.AgentIds.Contains(stalled.Id) && connections.AgentIds.Contains(reading.Id) ? (bool?)true : null));
        var droppedBefore = await DroppedAsync(DropReason.QueueFull);

        // Big frames fill the stalled socket's TCP buffers, then its bounded queue; each push must return at once.
        var big = new StackChangedMessage(new WireStack(Guid.NewGuid(), DateTime.UtcNow, DateTime.UtcNow, null, "big",
            new string('x', 64 * 1024), Guid.NewGuid()));
        var refused = 0;
        for (var i = 0; i < 5_000 && refused == 0; i++)
        {
            if (!connections.Send(stalled.Id, big))
            {
                refused++;
            }
        }
        Assert.Equal(1, refused);

        var small = new TargetChangedMessage(new WireAgentTarget(Guid.Empty, reading.Id, Guid.Empty));
        Assert.True(connections.Send(reading.Id, small));
        Assert.IsType<TargetChangedMessage>(await readingClient.ReceiveAsync(Soon));
        Assert.True(await DroppedAsync(DropReason.QueueFull) >= droppedBefore + 1);
    }

    [Theory]
    [InlineData("{\"type\":\"telepathy\",\"body\":{}}", WebSocketCloseStatus.InvalidPayloadData)]
    [InlineData(null, WebSocketCloseStatus.MessageTooBig)]
    public async Task A_malformed_or_oversized_frame_closes_the_socket_with_a_code_that_says_why(string? frame, WebSocketCloseStatus expected)
    {
        var agent = await _fleet.AgentAsync();
        await using var client = await ChannelClient.ConnectAsync(broker.BaseAddress, agent.Pak);

        await client.SendTextAsync(frame ?? new string(' ', AgentChannelSession.MaxFrameBytes + 1));

        // ClosedAsync skips a push that may still arrive for the agent just created (its notification is asynchronous).
        Assert.Equal(expected, await client.ClosedAsync(Soon));
        await broker.Client().Send("GET", "/admin/ws/connections").Expect(200); // the broker is still serving
    }

    [Fact]
    public async Task A_binary_frame_closes_the_socket_with_1003()
    {
        var agent = await _fleet.AgentAsync();
        await using var client = await ChannelClient.ConnectAsync(broker.BaseAddress, agent.Pak);

        await client.Socket.SendAsync("{}"u8.ToArray(), WebSocketMessageType.Binary, true, CancellationToken.None);

        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await client.ClosedAsync(Soon));
    }

    private async Task<List<JsonElement>> ConnectionsAsync() =>
        [.. (await broker.Client().Send("GET", "/admin/ws/connections").Expect(200)).GetProperty("connections").EnumerateArray()];

    private async Task<double> DroppedAsync(string reason) =>
        new Scrape(await broker.Client(null).GetStringAsync("/metrics")).Value("brokkr_ws_messages_dropped_total", ("reason", reason));
}
