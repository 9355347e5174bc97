using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Brokkr.Broker.StackTelemetry;
using Brokkr.Tests.Broker;
using Brokkr.Tests.BrokerMetrics;
using Brokkr.Tests.Channel;
using Brokkr.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Brokkr.Tests.Telemetry;

/// <summary>
/// Stack telemetry end to end on a real broker and PostgreSQL: frames pushed over the agent channel, stored in
/// batches, read back through <c>/stacks/{id}/events|logs</c> with retention metadata and live through the tails.
/// </summary>
public sealed class StackTelemetryTests(TelemetryBroker broker) : IClassFixture<TelemetryBroker>
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(15);
    private readonly Fleet _fleet = new(broker);

    private sealed record Setup(Tenant Generator, Tenant Agent, Guid Stack);

    private async Task<Setup> TargetedStackAsync()
    {
        var generator = await _fleet.GeneratorAsync();
        var agent = await _fleet.AgentAsync(generator.Id);
        var stack = await _fleet.StackAsync(generator);
        await _fleet.TargetAsync(generator, agent, stack);
        return new Setup(generator, agent, stack);
    }

    private static K8sEventMessage Event(Guid agent, Guid stack, string reason, string? source = "kubelet") =>
        new(new WireK8sEvent(agent, stack, DateTime.UtcNow, reason, $"{reason} happened", "Warning", source,
            new WireObjectRef("v1", "Pod", "demo", "web-1", Guid.NewGuid().ToString())));

    private static PodLogLineMessage Line(Guid agent, Guid stack, string line) =>
        new(new WirePodLogLine(agent, stack, "demo", "web-1", "app", DateTime.UtcNow, line));

    [Fact]
    public async Task Events_and_log_lines_sent_over_the_channel_read_back_newest_first_with_retention_metadata()
    {
        var s = await TargetedStackAsync();
        var generator = broker.Client(s.Generator.Pak);
        var empty = await generator.Send("GET", $"/stacks/{s.Stack}/events").Expect(200);
        Assert.Empty(empty.GetProperty("events").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, Retention(empty).GetProperty("oldest_available_ts").ValueKind);

        await using var channel = await ChannelClient.ConnectAsync(broker.BaseAddress, s.Agent.Pak);
        await channel.SendAsync(Event(s.Agent.Id, s.Stack, "BackOff"));
        await channel.SendAsync(Line(s.Agent.Id, s.Stack, "first line"));
        await channel.SendAsync(Event(s.Agent.Id, s.Stack, "Pulled", source: null));
        await channel.SendAsync(Line(s.Agent.Id, s.Stack, "second line"));

        var events = await PollAsync(() => generator.Send("GET", $"/stacks/{s.Stack}/events").Expect(200), b => b.GetProperty("events").GetArrayLength() == 2);
        var rows = events.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["Pulled", "BackOff"], rows.Select(r => r.Str("reason")));
        Assert.All(rows, r => Assert.Equal(s.Agent.Id, r.Id("agent_id")));
        Assert.Equal("web-1", rows[0].GetProperty("involved_object").Str("name"));
        Assert.Equal("Pod", rows[0].GetProperty("involved_object").Str("kind"));
        Assert.Equal((JsonValueKind.Null, "kubelet"), (rows[0].GetProperty("source").ValueKind, rows[1].Str("source")));
        var retention = Retention(events);
        Assert.Equal(21600, retention.GetProperty("retention_ceiling_seconds").GetInt64());
        Assert.Equal(TelemetryBroker.RetentionSeconds, retention.GetProperty("effective_retention_seconds").GetInt64());
        Assert.Contains("6 hours", retention.Str("long_term_sink_hint"));
        Assert.Equal(rows.Min(r => r.GetProperty("created_at").GetDateTime()), retention.GetProperty("oldest_available_ts").GetDateTime());

        var logs = await PollAsync(() => broker.Client().Send("GET", $"/stacks/{s.Stack}/logs").Expect(200), b => b.GetProperty("lines").GetArrayLength() == 2);
        Assert.Equal(["second line", "first line"], logs.GetProperty("lines").EnumerateArray().Select(l => l.Str("line")));
        Assert.NotEqual(JsonValueKind.Null, Retention(logs).GetProperty("oldest_available_ts").ValueKind);

        // Paging and the since filter: limit caps the page (oldest_available_ts still covers the window); a since in the
        // future leaves nothing; one before the window is clamped to it.
        var one = await generator.Send("GET", $"/stacks/{s.Stack}/events?limit=1").Expect(200);
        Assert.Equal("Pulled", Assert.Single(one.GetProperty("events").EnumerateArray()).Str("reason"));
        Assert.Equal(retention.GetProperty("oldest_available_ts").GetDateTime(), Retention(one).GetProperty("oldest_available_ts").GetDateTime());
        var future = Uri.EscapeDataString(DateTime.UtcNow.AddMinutes(5).ToString("O"));
        Assert.Empty((await generator.Send("GET", $"/stacks/{s.Stack}/events?since={future}").Expect(200)).GetProperty("events").EnumerateArray());
        var ancient = Uri.EscapeDataString(DateTime.UtcNow.AddDays(-3).ToString("O"));
        Assert.Equal(2, (await generator.Send("GET", $"/stacks/{s.Stack}/events?since={ancient}&limit=999999").Expect(200)).GetProperty("events").GetArrayLength());
        await generator.Send("GET", $"/stacks/{s.Stack}/events?since=yesterday").ExpectError(400, "invalid_path");
    }

    [Fact]
    public async Task Each_COPY_of_a_telemetry_batch_is_one_timed_other_command_in_the_database_families()
    {
        var s = await TargetedStackAsync();
        // This host's own meter: other hosts in the test process send database commands of their own.
        using var meter = new MeterReader(broker.Services.GetRequiredService<Brokkr.Broker.Metrics.BrokerMeter>().Meter);

        await using var channel = await ChannelClient.ConnectAsync(broker.BaseAddress, s.Agent.Pak);
        await channel.SendAsync(Event(s.Agent.Id, s.Stack, "BackOff"));
        await channel.SendAsync(Line(s.Agent.Id, s.Stack, "one line"));
        await PollAsync(() => broker.Client().Send("GET", $"/stacks/{s.Stack}/logs").Expect(200), b => b.GetProperty("lines").GetArrayLength() == 1);
        await PollAsync(() => broker.Client().Send("GET", $"/stacks/{s.Stack}/events").Expect(200), b => b.GetProperty("events").GetArrayLength() == 1);

        // One COPY per table written, in one batch or two; nothing else the broker sends is an "other".
        Assert.Equal(2, meter.Sum("brokkr_database_queries_total", ("operation", "other")));
        Assert.Equal(2, meter.Count("brokkr_database_query_duration_seconds", ("operation", "other")));
        Assert.Equal(0, meter.Sum("brokkr_database_errors_total", ("operation", "other")));
    }

    [Fact]
    public async Task Only_the_admin_and_the_stacks_generator_read_it_and_an_unknown_stack_is_404()
    {
        var s = await TargetedStackAsync();
        var other = await _fleet.GeneratorAsync();

        await broker.Client().Send("GET", $"/stacks/{s.Stack}/logs").Expect(200);
        await broker.Client(other.Pak).Send("GET", $"/stacks/{s.Stack}/events").ExpectError(403, "stack_not_owned");
        await broker.Client(other.Pak).Send("GET", $"/stacks/{s.Stack}/logs").ExpectError(403, "stack_not_owned");
        await broker.Client(s.Agent.Pak).Send("GET", $"/stacks/{s.Stack}/events").ExpectError(403, "telemetry_read_denied");
        await broker.Client().Send("GET", $"/stacks/{Guid.NewGuid()}/events").ExpectError(404, "stack_not_found");
        await broker.Client().Send("GET", $"/stacks/{Guid.NewGuid()}/logs").ExpectError(404, "stack_not_found");

        Assert.Equal(HttpStatusCode.Forbidden, await LiveClient.RefusedStatusAsync(broker.BaseAddress, $"/stacks/{s.Stack}/live", other.Pak));
        Assert.Equal(HttpStatusCode.Forbidden, await LiveClient.RefusedStatusAsync(broker.BaseAddress, $"/stacks/{s.Stack}/live", s.Agent.Pak));
        Assert.Equal(HttpStatusCode.NotFound, await LiveClient.RefusedStatusAsync(broker.BaseAddress, $"/stacks/{Guid.NewGuid()}/live", BrokerHost.DevAdminPak));
        Assert.Equal(HttpStatusCode.Forbidden, await LiveClient.RefusedStatusAsync(broker.BaseAddress, "/fleet/live", s.Generator.Pak));
    }

    [Fact]
    public async Task An_agent_cannot_push_for_a_stack_it_does_not_run_nor_in_another_agents_name()
    {
        var s = await TargetedStackAsync();
        var stranger = await _fleet.AgentAsync();
        var notAssociated = await DroppedAsync(TelemetryDropReason.NotAssociated);
        var foreign = await DroppedAsync(TelemetryDropReason.ForeignAgent);

        await using (var strangerChannel = await ChannelClient.ConnectAsync(broker.BaseAddress, stranger.Pak))
        {
            await strangerChannel.SendAsync(Event(stranger.Id, s.Stack, "Intruder"));             // its own name, not its stack
            await strangerChannel.SendAsync(Event(s.Agent.Id, s.Stack, "Impersonated"));          // the stack's agent's name
            await UntilAsync(async () => await DroppedAsync(TelemetryDropReason.NotAssociated) >= notAssociated + 1
                && await DroppedAsync(TelemetryDropReason.ForeignAgent) >= foreign + 1);
        }
        await using var channel = await ChannelClient.ConnectAsync(broker.BaseAddress, s.Agent.Pak);
        await channel.SendAsync(Event(s.Agent.Id, s.Stack, "Legit"));

        var events = await PollAsync(() => broker.Client().Send("GET", $"/stacks/{s.Stack}/events").Expect(200), b => b.GetProperty("events").GetArrayLength() > 0);
        Assert.Equal("Legit", Assert.Single(events.GetProperty("events").EnumerateArray()).Str("reason"));
    }

    [Fact]
    public async Task A_live_tail_subscriber_sees_new_events_lines_and_gaps_and_a_browser_can_offer_its_PAK_as_a_subprotocol()
    {
        var s = await TargetedStackAsync();
        await using var live = await LiveClient.ConnectAsync(broker.BaseAddress, $"/stacks/{s.Stack}/live", s.Generator.Pak, asBrowser: true);
        Assert.Equal("brokkr.v1", live.Socket.SubProtocol);
        var hub = broker.Services.GetRequiredService<LiveHub>();
        await UntilAsync(() => Task.FromResult(hub.WatchedStacks().Contains(s.Stack)));
        var connections = await broker.Client().Send("GET", "/admin/ws/connections").Expect(200);
        Assert.True(connections.GetProperty("live_subscribers").GetInt32() >= 1);

        await using var channel = await ChannelClient.ConnectAsync(broker.BaseAddress, s.Agent.Pak);
        await channel.SendAsync(Event(s.Agent.Id, s.Stack, "Scheduled"));
        var seen = Assert.IsType<K8sEventMessage>(await live.ReceiveAsync(Soon));
        Assert.Equal("Scheduled", seen.Body.Reason);
        Assert.Equal(s.Stack, seen.Body.StackId);

        await channel.SendAsync(Line(s.Agent.Id, s.Stack, "hello"));
        Assert.Equal("hello", Assert.IsType<PodLogLineMessage>(await live.ReceiveAsync(Soon)).Body.Line);
        await channel.SendAsync(new LogGapMessage(new WireLogGap(s.Agent.Id, s.Stack, DateTime.UtcNow, 7, "rate_limit")));
        var gap = Assert.IsType<LogGapMessage>(await live.ReceiveAsync(Soon));
        Assert.Equal(7UL, gap.Body.DroppedCount);
        Assert.Equal("rate_limit", gap.Body.Reason);
    }

    [Fact]
    public async Task The_fleet_live_stream_sends_a_fleet_update_when_an_agent_heartbeats()
    {
        var agent = await _fleet.AgentAsync();
        await using var live = await LiveClient.ConnectAsync(broker.BaseAddress, "/fleet/live", BrokerHost.DevAdminPak);
        await using var channel = await ChannelClient.ConnectAsync(broker.BaseAddress, agent.Pak);

        // Heartbeats keep coming (the first sweep after subscribing only primes); each moves last_heartbeat.
        using var stop = new CancellationTokenSource();
        var beating = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await channel.SendAsync(new HeartbeatMessage(new WireHeartbeat(agent.Id, DateTime.UtcNow, K8sReachable: true, K8sApiLatencyMs: 5)));
                await Task.Delay(300, stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        });
        try
        {
            while (true)
            {
                var frame = await live.ReceiveAsync(Soon);
                Assert.NotNull(frame);
                if (frame is FleetUpdateMessage { Body: var record } && record.AgentId == agent.Id && record.LastHeartbeat is not null)
                {
                    Assert.True(record.K8sReachable);
                    Assert.Equal(5, record.K8sApiLatencyMs);
                    break;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await beating;
        }
    }

    [Fact]
    public async Task Oversized_or_malformed_telemetry_frames_are_refused_without_taking_the_broker_or_the_socket_down()
    {
        var s = await TargetedStackAsync();
        var invalid = await DroppedAsync(TelemetryDropReason.Invalid);
        await using var channel = await ChannelClient.ConnectAsync(broker.BaseAddress, s.Agent.Pak);

        await channel.SendAsync(Line(s.Agent.Id, s.Stack, new string('x', TelemetryIngest.MaxLineLength + 1)));
        await channel.SendAsync(Line(s.Agent.Id, s.Stack, "nul \0 inside"));
        await channel.SendAsync(Event(s.Agent.Id, s.Stack, new string('r', TelemetryIngest.MaxReasonLength + 1)));
        await channel.SendAsync(new LogGapMessage(new WireLogGap(s.Agent.Id, s.Stack, DateTime.UtcNow, 1, "because")));
        await channel.SendAsync(Line(s.Agent.Id, s.Stack, "fine"));

        var logs = await PollAsync(() => broker.Client().Send("GET", $"/stacks/{s.Stack}/logs").Expect(200), b => b.GetProperty("lines").GetArrayLength() > 0);
        Assert.Equal("fine", Assert.Single(logs.GetProperty("lines").EnumerateArray()).Str("line"));
        Assert.True(await DroppedAsync(TelemetryDropReason.Invalid) >= invalid + 4);

        // A body that is not a k8s_event at all is a malformed frame: the socket is closed with 1007, the broker serves on.
        await channel.SendTextAsync("{\"type\":\"k8s_event\",\"body\":{\"agent_id\":\"" + s.Agent.Id + "\"}}");
        // Pushes for the agent's new target may still be on their way before the close.
        while (await channel.ReceiveAsync(Soon) is { } pushed)
        {
            Assert.True(pushed is TargetChangedMessage or StackChangedMessage, $"unexpected {pushed.Type}");
        }
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, channel.Socket.CloseStatus);
        await broker.Client().Send("GET", $"/stacks/{s.Stack}/logs").Expect(200);
    }

    [Fact]
    public async Task A_full_ingest_queue_drops_frames_and_counts_them_instead_of_waiting()
    {
        var queue = new TelemetryQueue(Options.Create(new TelemetryOptions { QueueCapacity = 2 }));
        var ingest = new TelemetryIngest(queue, broker.Services.GetRequiredService<TelemetryMetrics>(), NullLogger<TelemetryIngest>.Instance);
        var before = await DroppedAsync(TelemetryDropReason.QueueFull);
        var agent = Guid.NewGuid();

        for (var i = 0; i < 5; i++)
        {
            ingest.Accept(agent, Line(agent, Guid.NewGuid(), $"line {i}"));
        }

        Assert.Equal(2, queue.Depth);
        Assert.Equal(before + 3, await DroppedAsync(TelemetryDropReason.QueueFull));
    }

    [Fact]
    public async Task Retention_deletes_rows_past_the_window_and_keeps_the_rest()
    {
        var s = await TargetedStackAsync();
        await using (var connection = new NpgsqlConnection(broker.ConnectionString))
        {
            await connection.OpenAsync();
            foreach (var age in new[] { "2 hours", "7 hours", "10 minutes" })
            {
                await using var insert = new NpgsqlCommand($"""
                    INSERT INTO agent_k8s_events (id, agent_id, stack_id, observed_at, reason, message, event_type, involved_object, created_at)
                    VALUES (gen_random_uuid(), @agent, @stack, now(), 'Aged', '{age}', 'Normal', '{"{}"}', now() - interval '{age}');
                    INSERT INTO agent_pod_logs (id, agent_id, stack_id, namespace, pod, container, ts, line, created_at)
                    VALUES (gen_random_uuid(), @agent, @stack, 'demo', 'p', 'c', now(), '{age}', now() - interval '{age}');
                    """, connection);
                insert.Parameters.AddWithValue("agent", s.Agent.Id);
                insert.Parameters.AddWithValue("stack", s.Stack);
                await insert.ExecuteNonQueryAsync();
            }
        }
        var runs = await ValueAsync("brokkr_ws_log_eviction_runs_total");
        var evicted = await ValueAsync("brokkr_ws_telemetry_evicted_total", ("table", "agent_pod_logs"));

        await broker.Services.GetRequiredService<TelemetryRetention>().RunOnceAsync(CancellationToken.None);

        // The broker keeps an hour: the 2- and 7-hour-old rows go, the 10-minute-old one stays.
        await using (var connection = new NpgsqlConnection(broker.ConnectionString))
        {
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT (SELECT count(*) FROM agent_k8s_events WHERE stack_id = @s) + (SELECT count(*) FROM agent_pod_logs WHERE stack_id = @s)", connection);
            count.Parameters.AddWithValue("s", s.Stack);
            Assert.Equal(2L, (long)(await count.ExecuteScalarAsync())!);
        }
        var logs = await broker.Client().Send("GET", $"/stacks/{s.Stack}/logs").Expect(200);
        Assert.Equal("10 minutes", Assert.Single(logs.GetProperty("lines").EnumerateArray()).Str("line"));
        Assert.True(await ValueAsync("brokkr_ws_log_eviction_runs_total") >= runs + 1);
        Assert.True(await ValueAsync("brokkr_ws_telemetry_evicted_total", ("table", "agent_pod_logs")) >= evicted + 2);
    }

    [Theory]
    [InlineData(99_999, 21_600)]
    [InlineData(21_600, 21_600)]
    [InlineData(600, 600)]
    [InlineData(0, 60)]
    public void Retention_can_be_shortened_but_never_past_six_hours(int configured, int effective) =>
        Assert.Equal(effective, new TelemetryOptions { RetentionSeconds = configured }.EffectiveRetentionSeconds);

    private static JsonElement Retention(JsonElement body) => body.GetProperty("retention");

    private Task<double> DroppedAsync(string reason) => ValueAsync("brokkr_ws_telemetry_dropped_total", ("reason", reason));

    private async Task<double> ValueAsync(string family, params (string, string)[] labels) =>
        new Scrape(await broker.Client(null).GetStringAsync("/metrics")).Value(family, labels);

    private static async Task<JsonElement> PollAsync(Func<Task<JsonElement>> probe, Func<JsonElement, bool> done)
    {
        JsonElement value = default;
        await UntilAsync(async () => done(value = await probe()));
        return value;
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Soon;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }
}
