using System.Text.Json.Nodes;
using Brokkr.Agent.DeploymentHealth;

namespace Brokkr.Tests.Agent;

public sealed class PodHealthTests
{
    internal static JsonObject Pod(string name, bool ready = true, string? phase = "Running", string? waiting = null,
        string? terminated = null, string? lastTerminated = null, string? initWaiting = null) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
        ["status"] = new JsonObject
        {
            ["phase"] = phase,
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" }),
            ["containerStatuses"] = new JsonArray(new JsonObject
            {
                ["name"] = "app",
                ["state"] = waiting is not null ? new JsonObject { ["waiting"] = new JsonObject { ["reason"] = waiting, ["message"] = $"{waiting} for app" } }
                    : terminated is not null ? new JsonObject { ["terminated"] = new JsonObject { ["reason"] = terminated } }
                    : new JsonObject { ["running"] = new JsonObject() },
                ["lastState"] = lastTerminated is null ? new JsonObject() : new JsonObject { ["terminated"] = new JsonObject { ["reason"] = lastTerminated } },
            }),
            ["initContainerStatuses"] = initWaiting is null ? new JsonArray()
                : new JsonArray(new JsonObject { ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = initWaiting } } }),
        },
    };

    [Fact]
    public void Ready_pods_are_healthy_and_no_pods_is_unknown()
    {
        var verdict = PodHealth.Evaluate([Pod("a"), Pod("b")]);
        Assert.Equal("healthy", verdict.Status);
        Assert.Equal((2, 2), (verdict.Summary.PodsReady, verdict.Summary.PodsTotal));
        Assert.Empty(verdict.Summary.Conditions);
        Assert.Empty(verdict.Summary.Resources);
        Assert.Equal("unknown", PodHealth.Evaluate([]).Status);
    }

    [Theory]
    [InlineData("CrashLoopBackOff", null, null, "CrashLoopBackOff")]
    [InlineData("ImagePullBackOff", null, null, "ImagePullBackOff")]
    [InlineData(null, "OOMKilled", null, "OOMKilled")]
    [InlineData(null, null, "OOMKilled", "OOMKilled")]
    public void Degrading_container_states_degrade_and_name_the_pod(string? waiting, string? terminated, string? last, string condition)
    {
        var verdict = PodHealth.Evaluate([Pod("ok"), Pod("bad", ready: false, waiting: waiting, terminated: terminated, lastTerminated: last)]);

        Assert.Equal("degraded", verdict.Status);
        Assert.Equal([condition], verdict.Summary.Conditions);
        Assert.Equal((1, 2), (verdict.Summary.PodsReady, verdict.Summary.PodsTotal));
        var problem = Assert.Single(verdict.Summary.Resources);
        Assert.Equal(("Pod", "bad", "default", false), (problem.Kind, problem.Name, problem.Namespace, problem.Ready));
    }

    [Fact]
    public void Init_container_problems_are_prefixed()
    {
        Assert.Equal(["InitContainer:ErrImagePull"], PodHealth.Evaluate([Pod("a", ready: false, phase: "Pending", initWaiting: "ErrImagePull")]).Summary.Conditions);
    }

    [Fact]
    public void Failing_is_never_downgraded_whatever_the_pod_order()
    {
        var failed = Pod("failed", ready: false, phase: "Failed");
        var crashing = Pod("crashing", ready: false, waiting: "CrashLoopBackOff");

        Assert.Equal("failing", PodHealth.Evaluate([failed, crashing]).Status);
        Assert.Equal("failing", PodHealth.Evaluate([crashing, failed]).Status);
        Assert.Contains("PodFailed", PodHealth.Evaluate([crashing, failed]).Summary.Conditions);
    }

    [Fact]
    public void Unknown_phase_is_unknown_unless_something_is_worse()
    {
        Assert.Equal("unknown", PodHealth.Evaluate([Pod("a"), Pod("b", ready: false, phase: "Unknown")]).Status);
        Assert.Equal("degraded", PodHealth.Evaluate([Pod("a", phase: "Unknown"), Pod("b", waiting: "CrashLoopBackOff")]).Status);
    }
}
