namespace Brokkr.Tests.Agent.Loop;

/// <summary>
/// A failed deploy is tried again with backoff until it applies or a newer object replaces it: one passing
/// Kubernetes 500 must not leave the cluster drifted. Each distinct failure is reported once, not once per attempt.
/// </summary>
[Collection(AgentLoopCollection.Name)]
public sealed class AgentRetryTests(RestartableBroker broker) : IClassFixture<RestartableBroker>
{
    private const string ConfigMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: retried, namespace: default}\ndata: {v: \"1\"}\n";

    [Fact]
    public async Task A_transient_failure_is_retried_with_backoff_and_reported_once_then_the_success()
    {
        await using var rig = await AgentRig.StartAsync(broker);
        rig.Kubernetes.Faults.FailAll(500, method: "PATCH");
        var deployed = await rig.DeployAsync(await rig.StackAsync(), ConfigMap);

        await rig.TickAsync(); // first attempt fails
        await rig.TickAsync(); // 10 s later: the retry fails the same way
        await rig.TickAsync(); // not due yet (20 s backoff)
        await rig.TickAsync(); // due: fails again
        Assert.Equal(3, await rig.MetricAsync("brokkr_agent_kubernetes_operations_total", "operation=\"apply\",result=\"error\""));
        var failures = await rig.EventsOfAsync(deployed);
        Assert.Equal("FAILURE", Assert.Single(failures).Status);
        Assert.Null(rig.ClusterObject("configmaps", "default", "retried"));

        rig.Kubernetes.Faults.Clear();
        for (var i = 0; i < 5 && rig.ClusterObject("configmaps", "default", "retried") is null; i++)
        {
            await rig.TickAsync(); // the 40 s backoff runs out within four polling intervals
        }

        Assert.NotNull(rig.ClusterObject("configmaps", "default", "retried"));
        Assert.Equal(["FAILURE", "SUCCESS"], (await rig.EventsOfAsync(deployed)).Select(e => e.Status));
        await rig.TickAsync();
        Assert.Equal(2, (await rig.EventsOfAsync(deployed)).Count); // nothing more once it applied
    }

    [Fact]
    public async Task A_newer_object_replaces_a_failed_one_which_is_not_retried()
    {
        await using var rig = await AgentRig.StartAsync(broker);
        var stack = await rig.StackAsync();
        rig.Kubernetes.Faults.FailAll(500, method: "PATCH");
        var failed = await rig.DeployAsync(stack, ConfigMap);
        await rig.TickAsync();
        Assert.Equal("FAILURE", (await rig.EventsAsync())[failed].Status);

        rig.Kubernetes.Faults.Clear();
        var newer = await rig.DeployAsync(stack, ConfigMap.Replace("\"1\"", "\"2\""));
        await rig.TickAsync();
        await rig.TickAsync();
        await rig.TickAsync();

        Assert.Equal("SUCCESS", (await rig.EventsAsync())[newer].Status);
        Assert.Single(await rig.EventsOfAsync(failed));
        Assert.Equal("2", rig.ClusterObject("configmaps", "default", "retried")!["data"]!["v"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_restarted_agent_retries_what_failed_before_the_restart_without_reporting_it_again()
    {
        await using var rig = await AgentRig.StartAsync(broker);
        rig.Kubernetes.Faults.FailAll(500, method: "PATCH");
        var failed = await rig.DeployAsync(await rig.StackAsync(), ConfigMap);
        await rig.TickAsync();
        Assert.Equal("FAILURE", (await rig.EventsAsync())[failed].Status);

        rig.Kubernetes.Faults.Clear();
        await rig.RestartAgentAsync();
        for (var i = 0; i < 3 && rig.ClusterObject("configmaps", "default", "retried") is null; i++)
        {
            await rig.TickAsync();
        }

        Assert.NotNull(rig.ClusterObject("configmaps", "default", "retried"));
        Assert.Equal(["FAILURE", "SUCCESS"], (await rig.EventsOfAsync(failed)).Select(e => e.Status));
    }
}
