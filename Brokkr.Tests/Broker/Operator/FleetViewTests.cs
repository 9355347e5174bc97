using System.Text.Json;
using Npgsql;

namespace Brokkr.Tests.Broker.Operator;

/// <summary>
/// The fleet view against a scripted fleet: each agent is given one distinguishing condition through the API (or,
/// for a heartbeat ten minutes old, the database), and its record must show exactly that condition.
/// </summary>
public sealed class FleetViewTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private readonly Fleet _fleet = new(broker);

    /// <summary>
    /// GET /fleet writes its records itself (StreamedJsonArray), /fleet-status through the framework: an agent's record
    /// must be the same bytes in both. A silent agent has no clock-dependent ages, so the two reads agree exactly.
    /// </summary>
    [Fact]
    public async Task A_streamed_record_is_the_apis_own_serialisation()
    {
        var generator = await _fleet.GeneratorAsync();
        var silent = await _fleet.AgentAsync(generator.Id);

        using var list = await _fleet.Admin.GetAsync($"/api/v1/fleet?pak_id={generator.Id}");
        Assert.Equal("application/json; charset=utf-8", list.Content.Headers.ContentType?.ToString());
        using var listed = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        var record = Assert.Single(listed.RootElement.EnumerateArray());
        using var status = JsonDocument.Parse(await (await _fleet.Admin.GetAsync($"/api/v1/agents/{silent.Id}/fleet-status")).Content.ReadAsStringAsync());
        Assert.Equal(status.RootElement.GetProperty("record").GetRawText(), record.GetRawText());
    }

    [Fact]
    public async Task Records_match_a_scripted_fleet()
    {
        var generator = await _fleet.GeneratorAsync();
        var other = await _fleet.GeneratorAsync();
        var stackA = await _fleet.StackAsync(generator);
        var stackB = await _fleet.StackAsync(generator);
        var objectA = (await _fleet.DeploymentObjectAsync(generator, stackA)).Id();
        await _fleet.DeploymentObjectAsync(generator, stackB);

        var healthy = await _fleet.AgentAsync(generator.Id);
        var stale = await _fleet.AgentAsync(generator.Id);
        var unreachable = await _fleet.AgentAsync(generator.Id);
        var failing = await _fleet.AgentAsync(generator.Id);
        var silent = await _fleet.AgentAsync(other.Id);

        // healthy: both stacks targeted, one acknowledged → 1 pending; reachable at 12 ms.
        await _fleet.TargetAsync(generator, healthy, stackA);
        await _fleet.TargetAsync(generator, healthy, stackB);
        await HeartbeatAsync(healthy, new { k8s_reachable = true, k8s_api_latency_ms = 12 });
        await broker.Client(healthy.Pak).Send("POST", $"/agents/{healthy.Id}/events",
            new { agent_id = healthy.Id, deployment_object_id = objectA, event_type = "DEPLOY", status = "SUCCESS" }).Expect(201);
        // stale: a heartbeat ten minutes old; a label match (through its registration) makes stack A pending.
        await HeartbeatAsync(stale, new { k8s_reachable = true });
        await broker.Client(generator.Pak).Send("POST", $"/stacks/{stackA}/labels", "fleet-test").Expect(201);
        await _fleet.Admin.Send("POST", $"/agents/{stale.Id}/labels", new { agent_id = stale.Id, label = "fleet-test" }).Expect(201);
        await using (var connection = new NpgsqlConnection(broker.ConnectionString))
        {
            await connection.OpenAsync();
            await using var age = new NpgsqlCommand("UPDATE agents SET last_heartbeat = now() - interval '600 seconds' WHERE id = $1", connection)
            {
                Parameters = { new() { Value = stale.Id } },
            };
            Assert.Equal(1, await age.ExecuteNonQueryAsync());
        }
        // unreachable: its Kubernetes API does not answer.
        await HeartbeatAsync(unreachable, new { k8s_reachable = false });
        // failing: two failing and one degraded health records.
        var objectB2 = (await _fleet.DeploymentObjectAsync(generator, stackB, "b: 2")).Id();
        var objectA2 = (await _fleet.DeploymentObjectAsync(generator, stackA, "a: 2")).Id();
        await HeartbeatAsync(failing, null);
        await broker.Client(failing.Pak).Send("PATCH", $"/agents/{failing.Id}/health-status", new
        {
            deployment_objects = new object[]
            {
                new { id = objectA, status = "failing", checked_at = DateTimeOffset.UtcNow },
                new { id = objectA2, status = "failing", checked_at = DateTimeOffset.UtcNow },
                new { id = objectB2, status = "degraded", checked_at = DateTimeOffset.UtcNow },
            },
        }).Expect(200);

        var records = (await _fleet.Admin.Send("GET", "/fleet").Expect(200)).EnumerateArray().ToDictionary(r => r.Id("agent_id"));
        Assert.Subset(records.Keys.ToHashSet(), new[] { healthy.Id, stale.Id, unreachable.Id, failing.Id, silent.Id }.ToHashSet());

        var h = records[healthy.Id];
        // The acknowledged object of stack A was superseded by a2, so both stacks are pending again.
        Assert.Equal((2L, true, 12L), (h.GetProperty("pending_object_count").GetInt64(), h.GetProperty("k8s_reachable").GetBoolean(),
            h.GetProperty("k8s_api_latency_ms").GetInt64()));
        Assert.InRange(h.GetProperty("heartbeat_age_seconds").GetInt64(), 0, 60);
        Assert.NotEqual(JsonValueKind.Null, h.GetProperty("last_event_at").ValueKind);
        Assert.False(h.GetProperty("ws_connected").GetBoolean());
        Assert.Equal(JsonValueKind.Null, h.GetProperty("connected_since").ValueKind);

        var s = records[stale.Id];
        Assert.InRange(s.GetProperty("heartbeat_age_seconds").GetInt64(), 600, 700);
        Assert.Equal(1, s.GetProperty("pending_object_count").GetInt64());
        Assert.Equal(JsonValueKind.Null, s.GetProperty("last_event_at").ValueKind);

        var u = records[unreachable.Id];
        Assert.False(u.GetProperty("k8s_reachable").GetBoolean());
        Assert.Equal(JsonValueKind.Null, u.GetProperty("k8s_api_latency_ms").ValueKind);
        Assert.Equal(0, u.GetProperty("pending_object_count").GetInt64());

        var f = records[failing.Id];
        Assert.Equal((2L, 1L), (f.GetProperty("health_failing").GetInt64(), f.GetProperty("health_degraded").GetInt64()));
        Assert.Equal(JsonValueKind.Null, f.GetProperty("k8s_reachable").ValueKind);

        var q = records[silent.Id];
        Assert.Equal(JsonValueKind.Null, q.GetProperty("heartbeat_age_seconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, q.GetProperty("last_heartbeat").ValueKind);
        Assert.Equal((0L, 0L, 0L, 0L), (q.GetProperty("health_failing").GetInt64(), q.GetProperty("pending_object_count").GetInt64(),
            q.GetProperty("pending_work_orders").GetInt64(), q.GetProperty("claimed_work_orders").GetInt64()));

        // pak_id narrows the view to the generator's agents.
        var scoped = (await _fleet.Admin.Send("GET", $"/fleet?pak_id={other.Id}").Expect(200)).EnumerateArray().Select(r => r.Id("agent_id"));
        Assert.Equal([silent.Id], scoped);
        Assert.Equal(0, (await _fleet.Admin.Send("GET", $"/fleet?pak_id={Guid.NewGuid()}").Expect(200)).GetArrayLength());
    }

    [Fact]
    public async Task Fleet_status_holds_the_record_and_recent_events_newest_first()
    {
        var generator = await _fleet.GeneratorAsync();
        var stack = await _fleet.StackAsync(generator);
        var agent = await _fleet.AgentAsync(generator.Id);
        var objects = new List<Guid>();
        for (var i = 0; i < 22; i++)
        {
            var id = (await _fleet.DeploymentObjectAsync(generator, stack, $"n: {i}")).Id();
            objects.Add(id);
            await broker.Client(agent.Pak).Send("POST", $"/agents/{agent.Id}/events",
                new { agent_id = agent.Id, deployment_object_id = id, event_type = "DEPLOY", status = "SUCCESS" }).Expect(201);
        }
        var status = await _fleet.Admin.Send("GET", $"/agents/{agent.Id}/fleet-status").Expect(200);
        Assert.Equal(agent.Id, status.GetProperty("record").Id("agent_id"));
        var events = status.GetProperty("recent_events").EnumerateArray().ToList();
        Assert.Equal(20, events.Count);
        Assert.Equal(objects[^1], events[0].Id("deployment_object_id"));

        await _fleet.Admin.Send("GET", $"/agents/{Guid.NewGuid()}/fleet-status").ExpectError(404, "agent_not_found");
        await broker.Client(agent.Pak).Send("GET", "/fleet").ExpectError(403, "admin_required");
        await broker.Client(generator.Pak).Send("GET", $"/agents/{agent.Id}/fleet-status").ExpectError(403, "admin_required");
        await _fleet.Admin.Send("GET", "/fleet?pak_id=nope").ExpectError(400, "invalid_path");
    }

    [Fact]
    public async Task Work_order_counts_come_from_the_queue_by_id_label_and_annotation()
    {
        var orders = new WorkOrders.WorkOrderClient(broker);
        var generator = await _fleet.GeneratorAsync();
        var targeted = await _fleet.AgentAsync(generator.Id);
        var bystander = await _fleet.AgentAsync(generator.Id);
        var label = "wo-" + Guid.NewGuid().ToString("N")[..8];
        await orders.LabelAsync(targeted, label);
        await orders.AnnotateAsync(targeted, "tier", label);

        await orders.CreateAsync(new { agent_ids = new[] { targeted.Id } });
        // Matching by id and by label at once is still one order.
        await orders.CreateAsync(new { agent_ids = new[] { targeted.Id }, labels = new[] { label } });
        var retrying = (await orders.CreateAsync(new { annotations = new Dictionary<string, string> { ["tier"] = label } })).Id();
        var claimed = (await orders.CreateAsync(new { labels = new[] { label } })).Id();
        await orders.Claim(targeted, claimed).Expect(200);
        await using (var connection = new NpgsqlConnection(broker.ConnectionString))
        {
            await connection.OpenAsync();
            await using var backoff = new NpgsqlCommand(
                "UPDATE work_orders SET status = 'RETRY_PENDING', next_retry_after = now() + interval '1 hour' WHERE id = $1", connection)
            {
                Parameters = { new() { Value = retrying } },
            };
            Assert.Equal(1, await backoff.ExecuteNonQueryAsync());
        }

        var records = (await _fleet.Admin.Send("GET", "/fleet").Expect(200)).EnumerateArray().ToDictionary(r => r.Id("agent_id"));
        Assert.Equal((3L, 1L), (records[targeted.Id].GetProperty("pending_work_orders").GetInt64(),
            records[targeted.Id].GetProperty("claimed_work_orders").GetInt64()));
        Assert.Equal((0L, 0L), (records[bystander.Id].GetProperty("pending_work_orders").GetInt64(),
            records[bystander.Id].GetProperty("claimed_work_orders").GetInt64()));
        var status = await _fleet.Admin.Send("GET", $"/agents/{targeted.Id}/fleet-status").Expect(200);
        Assert.Equal(3, status.GetProperty("record").GetProperty("pending_work_orders").GetInt64());
    }

    private Task HeartbeatAsync(Tenant agent, object? report) =>
        broker.Client(agent.Pak).Send("POST", $"/agents/{agent.Id}/heartbeat", report).Expect(204);
}
