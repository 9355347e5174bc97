using Brokkr.Agent.WorkOrders;
using Brokkr.KubernetesStandIn.Storage;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Agent.Loop;

/// <summary>
/// <c>build</c> work orders run by a real agent: the Shipwright Build applied, a BuildRun of it applied and watched to
/// its terminal <c>Succeeded</c> condition in the stand-in (which serves Shipwright's CRDs), the outcome archived.
/// </summary>
[Collection(AgentLoopCollection.Name)]
public sealed class AgentBuildWorkOrderTests(RestartableBroker broker) : IClassFixture<RestartableBroker>
{
    [Fact]
    public async Task A_BuildRun_that_succeeds_is_archived_with_its_image_digest()
    {
        Guid order = default;
        await using var rig = await AgentRig.StartAsync(broker,
            async r => order = await r.CreateWorkOrderAsync("build", Build("app", "Succeeded")), shipwright: true);

        var log = await rig.ArchivedWorkOrderAsync(order);
        var run = $"app-{order.ToString("N")[..8]}";
        Assert.Equal((true, "build", rig.Agent.Id), (log.GetProperty("success").GetBoolean(), log.Str("work_type"), log.Id("claimed_by")));
        Assert.Equal($"BuildRun(s) completed: default/{run} ({BuildRunController.Digest})", log.Str("result_message"));
        Assert.Equal("registry.example/app", rig.ClusterObject("builds", "default", "app")!["spec"]!["output"]!["image"]!.GetValue<string>());
        var buildRun = rig.ClusterObject("buildruns", "default", run)!;
        Assert.Equal("app", buildRun["spec"]!["build"]!["name"]!.GetValue<string>());
        Assert.Equal(order.ToString(), buildRun["metadata"]!["labels"]![BuildWorkOrder.WorkOrderLabel]!.GetValue<string>());
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_work_orders_completed_total", "result=\"success\""));
    }

    [Fact]
    public async Task A_BuildRun_that_fails_is_archived_as_failed_with_the_conditions_reason_and_message()
    {
        Guid order = default;
        await using var rig = await AgentRig.StartAsync(broker,
            async r => order = await r.CreateWorkOrderAsync("build", Build("broken", "Failed")), shipwright: true);

        var log = await rig.ArchivedWorkOrderAsync(order);
        var run = $"broken-{order.ToString("N")[..8]}";
        Assert.False(log.GetProperty("success").GetBoolean());
        Assert.Equal($"BuildRun default/{run} failed: Failed: buildrun step build-and-push failed, for detailed information: " +
                     $"kubectl --namespace default logs {run}-pod --container=step-build-and-push", log.Str("result_message"));
        Assert.Equal(0, log.GetProperty("retries_attempted").GetInt32());
    }

    [Fact]
    public async Task A_BuildRun_still_running_when_the_window_ends_is_reported_as_still_running()
    {
        Guid order = default;
        await using var rig = await AgentRig.StartAsync(broker,
            async r => order = await r.CreateWorkOrderAsync("build", Build("slow", null), claimTimeoutSeconds: 100), shipwright: true);

        var log = await rig.ArchivedWorkOrderAsync(order);
        Assert.Equal($"BuildRun(s) default/slow-{order.ToString("N")[..8]} did not finish within the 90 s watch window and may still be running; " +
                     "Brokkr did not cancel them", log.Str("result_message"));
        Assert.Equal(1, await rig.MetricAsync("brokkr_agent_work_orders_completed_total", "result=\"timeout\""));
    }

    [Fact]
    public async Task Without_Shipwright_in_the_cluster_a_build_fails_for_good_naming_what_is_missing()
    {
        Guid order = default;
        await using var rig = await AgentRig.StartAsync(broker,
            async r => order = await r.CreateWorkOrderAsync("build", Build("nowhere", "Succeeded"), maxRetries: 3));

        var log = await rig.ArchivedWorkOrderAsync(order);
        Assert.Equal((false, "shipwright.io/v1beta1 Build is not served by the cluster"),
            (log.GetProperty("success").GetBoolean(), log.Str("result_message")));
    }

    private static string Build(string name, string? outcome) =>
        $"apiVersion: shipwright.io/v1beta1\nkind: Build\nmetadata:\n  name: {name}\n" +
        (outcome is null ? "" : $"  annotations:\n    {BuildRunController.OutcomeAnnotation}: {outcome}\n") +
        "spec:\n  source:\n    type: Git\n    git:\n      url: https://git.example/app\n  strategy:\n    name: buildah\n    kind: ClusterBuildStrategy\n" +
        $"  output:\n    image: registry.example/{name}\n";
}
