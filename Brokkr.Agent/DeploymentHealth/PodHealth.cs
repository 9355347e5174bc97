using System.Text.Json.Nodes;

namespace Brokkr.Agent.DeploymentHealth;

/// <summary>One deployment object's verdict and the summary the broker stores as JSON text (brokkr-core.md §1.10).</summary>
public sealed record HealthVerdict(string Status, HealthSummary Summary);

public sealed record HealthSummary(int PodsReady, int PodsTotal, IReadOnlyList<string> Conditions,
    IReadOnlyList<PodProblem> Resources)
{
    public static readonly HealthSummary Empty = new(0, 0, [], []);
}

public sealed record PodProblem(string Kind, string Name, string? Namespace, bool Ready, string? Message);

/// <summary>
/// The pod rules of brokkr-core.md §7.7: degrading waiting/terminated reasons → degraded, phase Failed → failing,
/// phase Unknown → unknown unless worse, no pods → unknown. A worse verdict is never replaced by a milder one, whatever
/// the order of the pods (upstream could downgrade failing to degraded).
/// </summary>
public static class PodHealth
{
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Failing = "failing";
    public const string Unknown = "unknown";

    private static readonly HashSet<string> DegradingWaitingReasons =
    [
        "ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff", "CreateContainerConfigError", "InvalidImageName",
        "RunContainerError", "ContainerCannotRun",
    ];

    private static readonly HashSet<string> DegradingTerminatedReasons = ["OOMKilled", "Error", "ContainerCannotRun"];

    public static HealthVerdict Evaluate(IReadOnlyList<JsonObject> pods)
    {
        if (pods.Count == 0)
        {
            return new HealthVerdict(Unknown, HealthSummary.Empty);
        }

        var status = Healthy;
        var ready = 0;
        var conditions = new SortedSet<string>(StringComparer.Ordinal);
        var problems = new List<PodProblem>();
        foreach (var pod in pods)
        {
            var podStatus = pod["status"] as JsonObject;
            if (IsReady(podStatus))
            {
                ready++;
            }

            string? problem = null;
            foreach (var container in Array(podStatus?["containerStatuses"]))
            {
                var waiting = Text(container?["state"]?["waiting"]?["reason"]);
                var terminated = Text(container?["state"]?["terminated"]?["reason"]);
                var lastTerminated = Text(container?["lastState"]?["terminated"]?["reason"]);
                var reason = waiting is not null && DegradingWaitingReasons.Contains(waiting) ? waiting
                    : terminated is not null && DegradingTerminatedReasons.Contains(terminated) ? terminated
                    : lastTerminated == "OOMKilled" ? lastTerminated : null;
                if (reason is not null)
                {
                    status = Worse(status, Degraded);
                    conditions.Add(reason);
                    problem ??= Text(container?["state"]?["waiting"]?["message"]) ?? reason;
                }
            }

            foreach (var container in Array(podStatus?["initContainerStatuses"]))
            {
                var waiting = Text(container?["state"]?["waiting"]?["reason"]);
                if (waiting is not null && DegradingWaitingReasons.Contains(waiting))
                {
                    status = Worse(status, Degraded);
                    conditions.Add($"InitContainer:{waiting}");
                    problem ??= Text(container?["state"]?["waiting"]?["message"]) ?? waiting;
                }
            }

            switch (Text(podStatus?["phase"]))
            {
                case "Failed":
                    status = Worse(status, Failing);
                    conditions.Add("PodFailed");
                    break;
                case "Unknown":
                    status = Worse(status, Unknown);
                    break;
            }

            if (problem is not null)
            {
                problems.Add(new PodProblem("Pod", Text(pod["metadata"]?["name"]) ?? "", Text(pod["metadata"]?["namespace"]),
                    false, problem));
            }
        }

        return new HealthVerdict(status, new HealthSummary(ready, pods.Count, [.. conditions], problems));
    }

    private static bool IsReady(JsonObject? status) => Array(status?["conditions"])
        .Any(c => Text(c?["type"]) == "Ready" && Text(c?["status"]) == "True");

    // failing > degraded > unknown > healthy
    private static string Worse(string current, string candidate) => Rank(candidate) > Rank(current) ? candidate : current;

    private static int Rank(string status) => status switch
    {
        Failing => 3,
        Degraded => 2,
        Unknown => 1,
        _ => 0,
    };

    private static IEnumerable<JsonNode?> Array(JsonNode? node) => node as JsonArray ?? [];

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
