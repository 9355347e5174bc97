using System.Text.Json;
using Brokkr.KubernetesStandIn.Storage;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Agent.Loop;

/// <summary>
/// Work orders run by a real agent against the stand-in and a real broker: claimed on a tick, applied, the Job watched
/// to its terminal condition and the outcome archived. The broker's own state machine (backoff arithmetic, races,
/// stale claims, authorization) is covered by Broker/WorkOrders; these tests cover what the agent decides. The watch
/// runs on the agent's manual clock, so its window (derived from the claim timeout) passes in a few clock steps.
/// </summary>
[Collection(AgentLoopCollection.Name)]
public sealed class AgentWorkOrderTests(RestartableBroker broker) : IClassFixture<RestartableBroker>
{
    [Fact]
    public async Task A_custom_Job_is_applied_watched_to_Complete_and_archived_as_a_success_of_the_claiming_agent()
    {
        Guid order = default;
        await using var rig = await AgentRig.StartAsync(broker,
            async r => order = await r.CreateWorkOrderAsync("custom", Job("migrate", "Complete")));

        var log = await rig.ArchivedWorkOrderAsync(order);
        Assert.Equal((true, rig.Agent.Id, 0, "custom"), (log.GetProperty("success").GetBoolean(), log.Id("claimed_by"),
            log.GetProperty("retries_attempted").GetInt32(), log.Str("work_type")));
        Assert.Contains("default/migrate", log.Str("result_message"));
        var job = rig.ClusterObject("jobs", "default", "migrate");
        Assert.NotNull(job);
        Assert.Equal(("Complete", "CompletionsReached"), JobWatcherTerminal(job));
        Assert.Equal("COMPLETED", (await broker.Admin.Send("GET", $"/work-orders/{order}").Expect(200)).Str("status"));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_work_order_claims_total", "result=\"claimed\""));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_work_orders_completed_total", "result=\"success\""));
        Assert.Equal(0, await rig.MetricAsync("brokkr_agent_work_orders_in_progress"));
    }

    [Fact]
    public async Task A_transient_apply_failure_is_reported_retryable_waits_out_its_backoff_and_is_claimed_again()
    {
        Guid order = default;
        await using var rig = await AgentRig.StartAsync(broker, async r =>
        {
            // The API server is unavailable for Jobs until the test lifts it: the first attempt cannot apply.
            r.Kubernetes.Faults.FailAll(503, method: "PATCH", pathPrefix: "/apis/batch/");
            order = await r.CreateWorkOrderAsync("custom", Job("flaky", "Complete"), maxRetries: 2, backoffSeconds: 1);
        });

        var retrying = await Poll.UntilAsync(() => broker.Admin.Send("GET", $"/work-orders/{order}").Expect(200),
            o => o.Str("status") == "RETRY_PENDING", TimeSpan.FromSeconds(30), "the retryable failure reported");
        Assert.Equal(1, retrying.GetProperty("retry_count").GetInt32());
        Assert.Contains("applying Job flaky failed", retrying.Str("last_error"));
        Assert.Equal(JsonValueKind.Null, retrying.GetProperty("claimed_by").ValueKind);
        // 2^1 × 1 s after the failure, on the broker's clock.
        Assert.Equal(TimeSpan.FromSeconds(2),
            retrying.GetProperty("next_retry_after").GetDateTime() - retrying.GetProperty("last_error_at").GetDateTime());
        Assert.Null(rig.ClusterObject("jobs", "default", "flaky"));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_work_orders_completed_total", "result=\"retryable_failure\""));

        rig.Kubernetes.Faults.Clear();
        // Ticks claim it again once the backoff has passed (until then the broker offers nothing).
        var log = await rig.ArchivedWorkOrderAsync(order, AgentRig.PollingInterval);
        Assert.Equal((true, 1, rig.Agent.Id), (log.GetProperty("success").GetBoolean(),
            log.GetProperty("retries_attempted").GetInt32(), log.Id("claimed_by")));
        Assert.NotNull(rig.ClusterObject("jobs", "default", "flaky"));
        Assert.Equal(2, await rig.MetricAsync("brokkr_agent_work_order_claims_total", "result=\"claimed\""));
    }

    [Fact]
    public async Task A_Job_that_fails_is_archived_as_failed_at_once_with_retries_left()
    {
        Guid order = default;
        await using var rig = await AgentRig.StartAsync(broker,
            async r => order = await r.CreateWorkOrderAsync("custom", Job("doomed", "Failed"), maxRetries: 3));

        var log = await rig.ArchivedWorkOrderAsync(order);
        Assert.Equal((false, 0), (log.GetProperty("success").GetBoolean(), log.GetProperty("retries_attempted").GetInt32()));
        Assert.Equal("Job default/doomed failed: BackoffLimitExceeded: Job has reached the specified backoff limit", log.Str("result_message"));
        Assert.Equal("FAILED", (await broker.Admin.Send("GET", $"/work-orders/{order}").Expect(200)).Str("status"));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_work_orders_completed_total", "result=\"failure\""));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_work_order_claims_total", "result=\"claimed\""));
    }

    [Fact]
    public async Task A_pod_failure_the_Job_recovers_from_is_not_a_failure()
    {
        Guid order = default;
        await using var rig = await AgentRig.StartAsync(broker,
            async r => order = await r.CreateWorkOrderAsync("custom", Job("bumpy", "PodFailureThenComplete")));

        var log = await rig.ArchivedWorkOrderAsync(order);
        Assert.True(log.GetProperty("success").GetBoolean(), log.Str("result_message"));
        Assert.Equal(1, rig.ClusterObject("jobs", "default", "bumpy")!["status"]!["failed"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_Job_still_running_when_the_watch_window_ends_is_reported_as_still_running_not_as_failed()
    {
        Guid order = default;
        // Claim timeout 120 s: a 108 s window. The Job has no outcome annotation, so the stand-in runs it forever.
        await using var rig = await AgentRig.StartAsync(broker,
            async r => order = await r.CreateWorkOrderAsync("custom", Job("endless", null), claimTimeoutSeconds: 120));

        var log = await rig.ArchivedWorkOrderAsync(order);
        Assert.False(log.GetProperty("success").GetBoolean());
        Assert.Equal("Job(s) default/endless did not finish within the 108 s watch window and may still be running; Brokkr did not cancel them",
            log.Str("result_message"));
        Assert.Null(JobWatcherTerminal(rig.ClusterObject("jobs", "default", "endless")!));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_work_orders_completed_total", "result=\"timeout\""));
        Assert.Equal(0, await rig.MetricAsync("brokkr_agent_work_orders_completed_total", "result=\"failure\""));
    }

    [Fact]
    public async Task An_order_targeted_by_label_runs_on_the_matching_agent_and_never_on_another()
    {
        var label = Fleet.Unique("builders");
        await using var bystander = await AgentRig.StartAsync(broker, r => LabelAsync(r.Agent, Fleet.Unique("others")));
        Guid order = default;
        await using var builder = await AgentRig.StartAsync(broker, async r =>
        {
            await LabelAsync(r.Agent, label);
            order = (await broker.Admin.Send("POST", "/work-orders", new
            {
                work_type = "custom", yaml_content = Job("labelled", "Complete"), targeting = new { labels = new[] { label } },
            }).Expect(201)).Id();
        });

        // The bystander ticks first each round; it never sees the order.
        await bystander.TickAsync();
        var log = await builder.ArchivedWorkOrderAsync(order);
        await bystander.TickAsync();
        Assert.Equal(builder.Agent.Id, log.Id("claimed_by"));
        Assert.NotNull(builder.ClusterObject("jobs", "default", "labelled"));
        Assert.Null(bystander.ClusterObject("jobs", "default", "labelled"));
        Assert.True(bystander.WorkOrders.Running.IsCompleted);
        Assert.Empty((await broker.Client(bystander.Agent.Pak).Send("GET", $"/agents/{bystander.Agent.Id}/work-orders/pending").Expect(200)).EnumerateArray());
    }

    private static string Job(string name, string? outcome) =>
        $"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n" +
        (outcome is null ? "" : $"  annotations:\n    {JobController.OutcomeAnnotation}: {outcome}\n") +
        "spec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n";

    private Task LabelAsync(Tenant agent, string label) =>
        broker.Admin.Send("POST", $"/agents/{agent.Id}/labels", new { agent_id = agent.Id, label }).Expect(201);

    private static (string Type, string Reason)? JobWatcherTerminal(System.Text.Json.Nodes.JsonObject job) =>
        Brokkr.Agent.WorkOrders.JobWatcher.Terminal(job) is { } t ? (t.Type, t.Detail.Split(':')[0]) : null;
}
