using Brokkr.Tests.AppHost.Testing;

namespace Brokkr.Tests.Broker.WorkOrders;

/// <summary>The work-order state machine over HTTP and PostgreSQL: claim, complete, retry with backoff, archive, stale release.</summary>
public sealed class WorkOrderLifecycleTests(WorkOrderBroker broker) : IClassFixture<WorkOrderBroker>
{
    private readonly WorkOrderClient _orders = new(broker);

    [Fact]
    public async Task A_claimed_order_completed_successfully_moves_to_the_log_in_one_step()
    {
        var agent = await _orders.Fleet.AgentAsync();
        var created = await _orders.CreateAsync(new { agent_ids = new[] { agent.Id } });
        var id = created.Id();
        Assert.Equal(("PENDING", 3, 60, 3600, 0), (created.Str("status"), created.GetProperty("max_retries").GetInt32(),
            created.GetProperty("backoff_seconds").GetInt32(), created.GetProperty("claim_timeout_seconds").GetInt32(),
            created.GetProperty("retry_count").GetInt32()));
        Assert.Contains(id, await _orders.PendingAsync(agent));

        var claimed = await _orders.Claim(agent, id).Expect(200);
        Assert.Equal(("CLAIMED", agent.Id), (claimed.Str("status"), claimed.Id("claimed_by")));
        Assert.DoesNotContain(id, await _orders.PendingAsync(agent));

        var log = await _orders.Complete(agent, id, success: true, "sha256:abc").Expect(200);
        Assert.Equal((id, true, "sha256:abc", agent.Id, 0), (log.Id(), log.GetProperty("success").GetBoolean(), log.Str("result_message"),
            log.Id("claimed_by"), log.GetProperty("retries_attempted").GetInt32()));
        Assert.Equal(WorkOrderClient.JobYaml, log.Str("yaml_content"));

        var live = await _orders.Admin.Send("GET", "/work-orders").Expect(200);
        Assert.DoesNotContain(id, live.EnumerateArray().Select(o => o.Id()));
        Assert.Equal("COMPLETED", (await _orders.GetAsync(id)).Str("status"));
        Assert.Equal(id, (await _orders.Admin.Send("GET", $"/work-order-log/{id}").Expect(200)).Id());
        var mine = await _orders.Admin.Send("GET", $"/work-order-log?agent_id={agent.Id}&success=true").Expect(200);
        Assert.Equal([id], mine.EnumerateArray().Select(e => e.Id()));
        // Completed twice: the order is gone from the queue.
        await _orders.Complete(agent, id, success: true).ExpectError(404, "work_order_not_found");
    }

    [Fact]
    public async Task A_retryable_failure_waits_two_to_the_retry_count_times_the_backoff_then_is_archived_when_retries_run_out()
    {
        var agent = await _orders.Fleet.AgentAsync();
        var id = (await _orders.CreateAsync(new { agent_ids = new[] { agent.Id } }, maxRetries: 2, backoffSeconds: 1)).Id();

        for (var retry = 1; retry <= 2; retry++)
        {
            await Poll.UntilAsync(() => _orders.PendingAsync(agent), p => p.Contains(id), TimeSpan.FromSeconds(30), "order claimable again");
            await _orders.Claim(agent, id).Expect(200);
            var scheduled = await _orders.Complete(agent, id, success: false, $"attempt {retry} failed").Expect(202);
            Assert.Equal("retry_scheduled", scheduled.Str("status"));

            var order = await _orders.GetAsync(id);
            Assert.Equal(("RETRY_PENDING", retry, $"attempt {retry} failed"), (order.Str("status"), order.GetProperty("retry_count").GetInt32(), order.Str("last_error")));
            Assert.Equal(System.Text.Json.JsonValueKind.Null, order.GetProperty("claimed_by").ValueKind);
            var wait = order.GetProperty("next_retry_after").GetDateTime() - order.GetProperty("last_error_at").GetDateTime();
            Assert.Equal(TimeSpan.FromSeconds(Math.Pow(2, retry)), wait);
            // Inside the backoff the order is not offered and cannot be claimed.
            Assert.DoesNotContain(id, await _orders.PendingAsync(agent));
            await _orders.Claim(agent, id).ExpectError(409, "work_order_not_claimable");
        }

        await Poll.UntilAsync(() => _orders.PendingAsync(agent), p => p.Contains(id), TimeSpan.FromSeconds(30), "order claimable again");
        await _orders.Claim(agent, id).Expect(200);
        var log = await _orders.Complete(agent, id, success: false, "third failure").Expect(200);
        Assert.Equal((false, 2, "third failure"), (log.GetProperty("success").GetBoolean(), log.GetProperty("retries_attempted").GetInt32(), log.Str("result_message")));
        Assert.Equal("FAILED", (await _orders.GetAsync(id)).Str("status"));
    }

    [Fact]
    public async Task A_non_retryable_failure_is_archived_at_once_with_retries_left()
    {
        var agent = await _orders.Fleet.AgentAsync();
        var id = (await _orders.CreateAsync(new { agent_ids = new[] { agent.Id } }, maxRetries: 5)).Id();
        await _orders.Claim(agent, id).Expect(200);
        var log = await _orders.Complete(agent, id, success: false, "invalid manifest", retryable: false).Expect(200);
        Assert.Equal((false, 0), (log.GetProperty("success").GetBoolean(), log.GetProperty("retries_attempted").GetInt32()));
        Assert.Equal("FAILED", (await _orders.GetAsync(id)).Str("status"));
        var failed = await _orders.Admin.Send("GET", "/work-order-log?success=false&work_type=custom&limit=1000").Expect(200);
        Assert.Contains(id, failed.EnumerateArray().Select(e => e.Id()));
    }

    [Fact]
    public async Task A_claim_held_past_its_timeout_is_released_to_pending_and_the_old_holder_can_no_longer_complete_it()
    {
        var first = await _orders.Fleet.AgentAsync();
        var second = await _orders.Fleet.AgentAsync();
        var id = (await _orders.CreateAsync(new { agent_ids = new[] { first.Id, second.Id } }, claimTimeoutSeconds: 2)).Id();
        await _orders.Claim(first, id).Expect(200);

        var released = await Poll.UntilAsync(() => _orders.GetAsync(id), o => o.Str("status") == "PENDING", TimeSpan.FromSeconds(30), "claim released");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, released.GetProperty("claimed_by").ValueKind);
        // A stale claim is not a failed attempt.
        Assert.Equal(0, released.GetProperty("retry_count").GetInt32());

        await _orders.Claim(second, id).Expect(200);
        await _orders.Complete(first, id, success: true).ExpectError(403, "work_order_not_claimed_by_agent");
        await _orders.Complete(second, id, success: true).Expect(200);
    }

    [Fact]
    public async Task The_admin_cancels_a_queued_order()
    {
        var agent = await _orders.Fleet.AgentAsync();
        var id = (await _orders.CreateAsync(new { agent_ids = new[] { agent.Id } })).Id();
        await _orders.Admin.Send("DELETE", $"/work-orders/{id}").Expect(204);
        await _orders.Admin.Send("DELETE", $"/work-orders/{id}").ExpectError(404, "work_order_not_found");
        await _orders.Admin.Send("GET", $"/work-orders/{id}").ExpectError(404, "work_order_not_found");
        Assert.DoesNotContain(id, await _orders.PendingAsync(agent));
    }
}
