using System.Globalization;
using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Discovery;

namespace Brokkr.KubernetesStandIn.Storage;

/// <summary>
/// Shipwright's part, reduced to what a BuildRun's watcher reads: its CRDs (builds and buildruns, shipwright.io
/// v1beta1, namespaced) installed on request, and a BuildRun's <c>Succeeded</c> condition going from Unknown
/// (Pending, then Running, with <c>startTime</c>) to True (reason Succeeded, with <c>completionTime</c> and an output
/// digest) or False (reason Failed, with <c>failureDetails</c>), as Shipwright's controller reports it. A test decides
/// the outcome with the <see cref="OutcomeAnnotation"/> on the BuildRun or on the Build it runs (finished
/// <see cref="RunDuration"/> after it starts); without one the BuildRun runs forever.
/// </summary>
public sealed class BuildRunController(ObjectStore store, DiscoveryCatalog catalog, TimeProvider clock)
{
    public const string Group = "shipwright.io";
    public const string Version = "v1beta1";

    /// <summary>Values: <c>Succeeded</c> or <c>Failed</c>.</summary>
    public const string OutcomeAnnotation = "standin.brokkr.io/buildrun-outcome";

    public const string Digest = "sha256:5e4b2e5c0f6b8d1a9c3f7e2d4b6a8c0e1f3d5b7a9c2e4f6a8b0d2c4e6f8a0b1c";

    private readonly Lock _lock = new();

    public TimeSpan RunDuration { get; set; } = TimeSpan.FromMilliseconds(300);

    public static bool IsBuildRuns(ServedResource resource) => resource.Group == Group && resource.Plural == "buildruns";

    /// <summary>The two CRDs Shipwright installs for builds, as a cluster with Shipwright serves them.</summary>
    public static IEnumerable<JsonObject> Definitions() =>
        new[] { ("builds", "Build"), ("buildruns", "BuildRun") }.Select(t => new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = $"{t.Item1}.{Group}" },
            ["spec"] = new JsonObject
            {
                ["group"] = Group,
                ["scope"] = "Namespaced",
                ["names"] = new JsonObject
                {
                    ["plural"] = t.Item1, ["singular"] = t.Item2.ToLowerInvariant(), ["kind"] = t.Item2, ["listKind"] = t.Item2 + "List",
                },
                ["versions"] = new JsonArray(new JsonObject
                {
                    ["name"] = Version, ["served"] = true, ["storage"] = true,
                    ["schema"] = new JsonObject { ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true } },
                }),
            },
        });

    /// <summary>The create answer's status: not started yet.</summary>
    public void OnCreate(JsonObject run) =>
        run["status"] = new JsonObject { ["conditions"] = new JsonArray(Condition("Unknown", "Pending", "Pending")) };

    /// <summary>Starts the BuildRun just after its create is answered, and plays out the annotated outcome, if any.</summary>
    public void AfterCreate(JsonObject run)
    {
        var ns = run["metadata"]!["namespace"]!.GetValue<string>();
        var name = run["metadata"]!["name"]!.GetValue<string>();
        var outcome = OutcomeOf(run, ns);
        _ = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20));
            Update(ns, name, status =>
            {
                status["startTime"] = Now();
                status["conditions"] = new JsonArray(Condition("Unknown", "Running", "Not all Steps in the Task have finished executing"));
            });
            if (outcome is null)
            {
                return;
            }
            await Task.Delay(RunDuration);
            Finish(ns, name, succeeded: outcome != "Failed");
        });
    }

    /// <summary>Writes the terminal Succeeded condition; false when the BuildRun does not exist.</summary>
    public bool Finish(string ns, string name, bool succeeded, string? message = null) =>
        Update(ns, name, status =>
        {
            status["startTime"] ??= Now();
            status["completionTime"] = Now();
            if (succeeded)
            {
                status["conditions"] = new JsonArray(Condition("True", "Succeeded", message ?? "All Steps have completed executing"));
                status["output"] = new JsonObject { ["digest"] = Digest };
            }
            else
            {
                message ??= $"buildrun step build-and-push failed, for detailed information: kubectl --namespace {ns} logs {name}-pod --container=step-build-and-push";
                status["conditions"] = new JsonArray(Condition("False", "Failed", message));
                status["failureDetails"] = new JsonObject
                {
                    ["location"] = new JsonObject { ["container"] = "step-build-and-push", ["pod"] = $"{name}-pod" },
                };
            }
        });

    private string? OutcomeOf(JsonObject run, string ns)
    {
        if (run["metadata"]?["annotations"]?[OutcomeAnnotation]?.GetValue<string>() is { } own)
        {
            return own;
        }
        var buildName = run["spec"]?["build"]?["name"]?.GetValue<string>();
        var builds = catalog.Find(Group, Version, "builds");
        return buildName is null || builds is null ? null
            : store.Get(builds, ns, buildName)?["metadata"]?["annotations"]?[OutcomeAnnotation]?.GetValue<string>();
    }

    private bool Update(string ns, string name, Action<JsonObject> change)
    {
        lock (_lock)
        {
            var runs = catalog.Find(Group, Version, "buildruns");
            if (runs is null || store.Get(runs, ns, name) is not { } run)
            {
                return false;
            }
            var status = run["status"] as JsonObject ?? new JsonObject();
            change(status);
            run["status"] = status;
            run["metadata"]!["resourceVersion"] = store.NextResourceVersion();
            store.Put(runs, ns, name, run);
            return true;
        }
    }

    private JsonObject Condition(string status, string reason, string message) => new()
    {
        ["type"] = "Succeeded", ["status"] = status, ["lastTransitionTime"] = Now(), ["reason"] = reason, ["message"] = message,
    };

    private string Now() => clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
