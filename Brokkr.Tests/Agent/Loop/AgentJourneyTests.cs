using Brokkr.Agent.Reconcile;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Agent.Loop;

/// <summary>The whole loop — broker, agent, Kubernetes stand-in over loopback — through a stack's life.</summary>
[Collection(AgentLoopCollection.Name)]
public sealed class AgentJourneyTests(RestartableBroker broker) : IClassFixture<RestartableBroker>
{
    private const string TwoObjects = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: default}
        data: {color: blue}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: default}
        spec: {replicas: 2}
        """;

    private const string ConfigMapOnly = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: default}
        data: {color: red}
        """;

    [Fact]
    public async Task Apply_update_and_deletion_marker_each_reach_the_cluster_and_are_acknowledged()
    {
        Guid stack = default, first = default;
        await using var rig = await AgentRig.StartAsync(broker, async r =>
        {
            stack = await r.StackAsync();
            first = await r.DeployAsync(stack, TwoObjects);
        });

        // Tick 1 (at start): both objects applied, stamped, acknowledged.
        var configMap = rig.ClusterObject("configmaps", "default", "settings");
        Assert.NotNull(configMap);
        Assert.NotNull(rig.ClusterObject("deployments", "default", "web"));
        Assert.Equal(first.ToString(), BrokkrMetadata.Annotation(configMap, BrokkrMetadata.DeploymentObjectAnnotation));
        Assert.Equal(rig.Agent.Id.ToString(), BrokkrMetadata.Annotation(configMap, BrokkrMetadata.OwnerAnnotation));
        Assert.Equal(("SUCCESS", (string?)null), (await rig.EventsAsync())[first]);
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_heartbeat_sent_total"));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_poll_requests_total", "result=\"success\""));
        Assert.Equal(2, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"applied\""));
        // A dry run and an apply per object, one GET per object; discovery: GET /version at startup and in the
        // heartbeat, and one sweep.
        Assert.Equal(4, await rig.MetricAsync("brokkr_agent_kubernetes_operations_total", "operation=\"apply\",result=\"success\""));
        Assert.Equal(2, await rig.MetricAsync("brokkr_agent_kubernetes_operations_total", "operation=\"get\",result=\"success\""));
        Assert.Equal(3, await rig.MetricAsync("brokkr_agent_kubernetes_operations_total", "operation=\"discovery\",result=\"success\""));
        Assert.True(await rig.MetricAsync("brokkr_agent_kubernetes_operations_total", "operation=\"list\",result=\"success\"") > 0);
        Assert.Equal(rig.Clock.GetUtcNow().ToUnixTimeSeconds(), await rig.MetricAsync("brokkr_agent_last_successful_poll_timestamp_seconds"));

        // Update: the changed object is applied, the removed one pruned.
        var second = await rig.DeployAsync(stack, ConfigMapOnly);
        await rig.TickAsync();
        Assert.Equal("red", rig.ClusterObject("configmaps", "default", "settings")!["data"]!["color"]!.GetValue<string>());
        Assert.Null(rig.ClusterObject("deployments", "default", "web"));
        Assert.Equal("SUCCESS", (await rig.EventsAsync())[second].Status);
        Assert.Equal(3, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"applied\""));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"pruned\""));

        // Deletion marker: everything of the stack goes; its content is ignored.
        var marker = await rig.DeployAsync(stack, TwoObjects, deletionMarker: true);
        await rig.TickAsync();
        Assert.Null(rig.ClusterObject("configmaps", "default", "settings"));
        Assert.Null(rig.ClusterObject("deployments", "default", "web"));
        Assert.Equal("SUCCESS", (await rig.EventsAsync())[marker].Status);
        Assert.Equal(2, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"pruned\""));

        // Nothing new: an empty poll, and nothing touched.
        await rig.TickAsync();
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_poll_requests_total", "result=\"empty\""));
        Assert.Equal(3, await rig.MetricAsync("brokkr_agent_poll_requests_total", "result=\"success\""));
        Assert.Equal(0, await rig.MetricAsync("brokkr_agent_poll_requests_total", "result=\"error\""));
        Assert.Equal(4, await rig.MetricAsync("brokkr_agent_poll_duration_seconds_count"));
        Assert.Equal(4, await rig.MetricAsync("brokkr_agent_heartbeat_sent_total"));
        Assert.Equal(0, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"failed\""));
        Assert.Equal(0, await rig.MetricAsync("brokkr_agent_kubernetes_operations_total", "operation=\"apply\",result=\"error\""));
        Assert.Equal(3, (await rig.EventsAsync()).Count);
    }

    [Fact]
    public async Task A_stack_that_leaves_the_target_set_is_removed_without_touching_foreign_objects()
    {
        Guid stack = default, deployed = default, kept = default;
        await using var rig = await AgentRig.StartAsync(broker, async r =>
        {
            stack = await r.StackAsync();
            deployed = await r.DeployAsync(stack, TwoObjects);
            var other = await r.StackAsync();
            kept = await r.DeployAsync(other, """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: other, namespace: default}
                """);
        });
        Assert.NotNull(rig.ClusterObject("deployments", "default", "web"));

        await broker.Client(rig.Generator.Pak).Send("DELETE", $"/agents/{rig.Agent.Id}/targets/{stack}").Expect(204);
        await rig.TickAsync();

        Assert.Null(rig.ClusterObject("configmaps", "default", "settings"));
        Assert.Null(rig.ClusterObject("deployments", "default", "web"));
        Assert.NotNull(rig.ClusterObject("configmaps", "default", "other"));
        Assert.Equal(2, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"pruned\""));
        // Removal sends no event: the two from the first tick are all there is.
        Assert.Equal(new[] { deployed, kept }.Order(), (await rig.EventsAsync()).Keys.Order());
    }

    [Fact]
    public async Task A_stack_removed_while_the_agent_was_down_is_cleaned_up_after_a_restart()
    {
        Guid stack = default;
        await using var rig = await AgentRig.StartAsync(broker, async r =>
        {
            stack = await r.StackAsync();
            await r.DeployAsync(stack, TwoObjects);
        });
        Assert.NotNull(rig.ClusterObject("deployments", "default", "web"));

        // The restarted agent knows nothing of the stack but what the cluster tells it.
        await rig.RestartAgentAsync(() =>
            broker.Client(rig.Generator.Pak).Send("DELETE", $"/agents/{rig.Agent.Id}/targets/{stack}").Expect(204));

        Assert.Null(rig.ClusterObject("configmaps", "default", "settings"));
        Assert.Null(rig.ClusterObject("deployments", "default", "web"));
        Assert.Equal(2, await rig.MetricAsync("brokkr_agent_reconcile_objects_total", "action=\"pruned\""));
    }

    [Fact]
    public async Task An_agent_that_is_not_ACTIVE_only_heartbeats_until_an_admin_activates_it()
    {
        Guid deployed = default;
        await using var rig = await AgentRig.StartAsync(broker, async r => deployed = await r.DeployAsync(await r.StackAsync(), ConfigMapOnly),
            active: false);

        Assert.Empty(await rig.EventsAsync());
        Assert.Null(rig.ClusterObject("configmaps", "default", "settings"));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_heartbeat_sent_total"));
        Assert.Equal(0, await rig.MetricAsync("brokkr_agent_poll_requests_total", "result=\"success\""));

        // The heartbeat re-reads the agent's record, so activation takes effect within the same tick.
        await broker.Admin.Send("PUT", $"/agents/{rig.Agent.Id}", new { status = "ACTIVE" }).Expect(200);
        await rig.TickAsync();
        Assert.Equal("SUCCESS", (await rig.EventsAsync())[deployed].Status);
        Assert.NotNull(rig.ClusterObject("configmaps", "default", "settings"));
    }
}
