namespace Brokkr.Tests.Agent.Loop;

/// <summary>Bad objects and a failing Kubernetes API become FAILURE events and error metrics; the loop goes on.</summary>
[Collection(AgentLoopCollection.Name)]
public sealed class AgentFailureTests(RestartableBroker broker) : IClassFixture<RestartableBroker>
{
    private const string Good = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: good, namespace: default}
        data: {ok: "yes"}
        """;

    [Fact]
    public async Task Invalid_objects_fail_with_the_Kubernetes_message_and_the_other_stacks_still_apply()
    {
        Guid invalid = default, unparsable = default, good = default, invalidStack = default;
        await using var rig = await AgentRig.StartAsync(broker, async r =>
        {
            invalidStack = await r.StackAsync();
            invalid = await r.DeployAsync(invalidStack, """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: Not_A_Valid_Name, namespace: default}
                """);
            unparsable = await r.DeployAsync(await r.StackAsync(), "apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: default}\n");
            good = await r.DeployAsync(await r.StackAsync(), Good);
        });

        var events = await rig.EventsAsync();
        Assert.Equal("FAILURE", events[invalid].Status);
        // The API server's Status message, as the stand-in (shaped like the recorded 422) phrases it.
        Assert.Contains("ConfigMap \"Not_A_Valid_Name\" is invalid", events[invalid].Message);
        Assert.Equal("FAILURE", events[unparsable].Status);
        Assert.Contains("no metadata.name", events[unparsable].Message);
        Assert.Equal(("SUCCESS", (string?)null), events[good]);
        Assert.NotNull(rig.ClusterObject("configmaps", "default", "good"));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"failed\""));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"applied\""));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_kubernetes_operations_total", "operation=\"apply\",result=\"error\""));

        // A failed object is not retried (its event acknowledges it), but a fixed revision is applied next tick.
        var fixedRevision = await rig.DeployAsync(invalidStack, """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: now-valid, namespace: default}
            """);
        await rig.TickAsync();
        Assert.Equal("SUCCESS", (await rig.EventsAsync())[fixedRevision].Status);
        Assert.NotNull(rig.ClusterObject("configmaps", "default", "now-valid"));
        Assert.Equal(2, await rig.MetricAsync("brokkr_agent_poll_requests_total", "result=\"success\""));
    }

    [Fact]
    public async Task An_object_someone_else_created_is_a_failure_event_and_stays_untouched()
    {
        Guid deployed = default;
        await using var rig = await AgentRig.StartAsync(broker, async r =>
        {
            await r.ApplyAsOtherToolAsync(Brokkr.Tests.Kubernetes.KubernetesClientTests.ConfigMap("good", "helm's"), "helm");
            deployed = await r.DeployAsync(await r.StackAsync(), Good);
        });

        var (status, message) = (await rig.EventsAsync())[deployed];
        Assert.Equal("FAILURE", status);
        Assert.Contains("ConfigMap default/good exists and is not managed by Brokkr", message);
        Assert.Equal("helm's", rig.ClusterObject("configmaps", "default", "good")!["data"]!["k"]!.GetValue<string>());
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"failed\""));
        Assert.Equal(0, await rig.MetricAsync("brokkr_agent_kubernetes_operations_total", "operation=\"apply\",result=\"success\""));
    }

    [Fact]
    public async Task Kubernetes_500s_and_timeouts_become_failure_events_and_error_metrics()
    {
        await using var rig = await AgentRig.StartAsync(broker,
            settings: new Dictionary<string, string?> { ["Brokkr:Agent:kubernetes_request_timeout_seconds"] = "1" });
        var stack = await rig.StackAsync();

        rig.Kubernetes.Faults.FailAll(500, method: "PATCH");
        var failed = await rig.DeployAsync(stack, Good);
        await rig.TickAsync();
        var events = await rig.EventsAsync();
        Assert.Equal("FAILURE", events[failed].Status);
        Assert.Contains("Internal error occurred: injected failure", events[failed].Message);
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_kubernetes_operations_total", "operation=\"apply\",result=\"error\""));

        rig.Kubernetes.Faults.Clear();
        rig.Kubernetes.Faults.HangAll(TimeSpan.FromSeconds(10), method: "PATCH");
        var timedOut = await rig.DeployAsync(stack, Good.Replace("yes", "still"));
        await rig.TickAsync();
        events = await rig.EventsAsync();
        Assert.Equal("FAILURE", events[timedOut].Status);
        Assert.Contains("timed out after 1 s", events[timedOut].Message);
        Assert.Equal(2, await rig.MetricAsync("brokkr_agent_kubernetes_operations_total", "operation=\"apply\",result=\"error\""));
        Assert.Equal(0, await rig.MetricAsync("brokkr_agent_kubernetes_operations_total", "operation=\"apply\",result=\"success\""));
        Assert.Equal(2, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"failed\""));

        // The API recovers: the next revision applies and the loop never stopped.
        rig.Kubernetes.Faults.Clear();
        var recovered = await rig.DeployAsync(stack, Good.Replace("yes", "again"));
        await rig.TickAsync();
        Assert.Equal("SUCCESS", (await rig.EventsAsync())[recovered].Status);
        Assert.Equal(4, await rig.MetricAsync("brokkr_agent_heartbeat_sent_total"));
    }

    [Fact]
    public async Task Discovery_500s_fail_the_deploy_with_the_status_message_and_the_next_revision_applies()
    {
        Guid failed = default;
        await using var rig = await AgentRig.StartAsync(broker, async r =>
        {
            r.Kubernetes.Faults.FailAll(500, "GET", "/api"); // /api and /apis with all they serve; not /version
            failed = await r.DeployAsync(await r.StackAsync(), Good);
        });

        var (status, message) = (await rig.EventsAsync())[failed];
        Assert.Equal("FAILURE", status);
        Assert.Contains("ConfigMap default/good: Internal error occurred: injected failure", message);
        Assert.Null(rig.ClusterObject("configmaps", "default", "good"));
        // Restart recovery and the object's type lookup each tried a sweep.
        Assert.Equal(2, await rig.MetricAsync("brokkr_agent_kubernetes_operations_total", "operation=\"discovery\",result=\"error\""));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"failed\""));

        rig.Kubernetes.Faults.Clear();
        var fixedRevision = await rig.DeployAsync((await rig.StackAsync()), Good);
        await rig.TickAsync();
        Assert.Equal("SUCCESS", (await rig.EventsAsync())[fixedRevision].Status);
        Assert.NotNull(rig.ClusterObject("configmaps", "default", "good"));
    }

    [Fact]
    public async Task List_500s_fail_pruning_without_deleting_anything_and_the_next_revision_prunes()
    {
        Guid stack = default;
        await using var rig = await AgentRig.StartAsync(broker, async r =>
        {
            stack = await r.StackAsync();
            await r.DeployAsync(stack, Good + "\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\n");
        });
        Assert.NotNull(rig.ClusterObject("deployments", "default", "web"));

        rig.Kubernetes.Faults.FailAll(500, "GET", queryContains: "labelSelector=");
        var unpruned = await rig.DeployAsync(stack, Good);
        await rig.TickAsync();

        var (status, message) = (await rig.EventsAsync())[unpruned];
        Assert.Equal("FAILURE", status);
        Assert.Contains($"cannot list any resource type to prune stack {stack}", message);
        Assert.Contains("Internal error occurred: injected failure", message);
        Assert.NotNull(rig.ClusterObject("deployments", "default", "web"));
        Assert.True(await rig.MetricAsync("brokkr_agent_kubernetes_operations_total", "operation=\"list\",result=\"error\"") > 0);
        Assert.Equal(0, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"pruned\""));

        rig.Kubernetes.Faults.Clear();
        var pruning = await rig.DeployAsync(stack, Good.Replace("yes", "still"));
        await rig.TickAsync();
        Assert.Equal("SUCCESS", (await rig.EventsAsync())[pruning].Status);
        Assert.Null(rig.ClusterObject("deployments", "default", "web"));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"pruned\""));
    }

    [Fact]
    public async Task An_object_whose_event_was_lost_comes_back_and_is_counted_unchanged()
    {
        Guid stack = default;
        await using var rig = await AgentRig.StartAsync(broker, async r =>
        {
            stack = await r.StackAsync();
            await r.DeployAsync(stack, Good);
        });
        var revision = await rig.DeployAsync(stack, Good.Replace("yes", "two"));

        // The broker goes away while the revision is being applied, so its SUCCESS event cannot be sent.
        var pause = rig.Kubernetes.Faults.PauseNext("PATCH");
        var tick = rig.TickAsync();
        await pause.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        await broker.StopAsync();
        try
        {
            pause.Release();
            await tick;
        }
        finally
        {
            await broker.RestartAsync();
        }

        Assert.False((await rig.EventsAsync()).ContainsKey(revision));
        Assert.Equal(2, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"applied\""));

        // Unacknowledged, it is polled again and re-applied: nothing changes in the cluster.
        var version = rig.ClusterObject("configmaps", "default", "good")!["metadata"]!["resourceVersion"]!.GetValue<string>();
        await rig.TickAsync();
        Assert.Equal("SUCCESS", (await rig.EventsAsync())[revision].Status);
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"unchanged\""));
        Assert.Equal(2, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"applied\""));
        Assert.Equal(version, rig.ClusterObject("configmaps", "default", "good")!["metadata"]!["resourceVersion"]!.GetValue<string>());
    }
}
