using System.Globalization;
using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Discovery;

namespace Brokkr.KubernetesStandIn.Storage;

/// <summary>
/// What the Job controller writes into a batch/v1 Job's status, as recorded from a v1.36 cluster
/// (replay-v1.36-job-create.json): <c>{}</c> in the create answer, then <c>startTime</c> and <c>active: 1</c> while it
/// runs, and a terminal condition at the end — <c>FailureTarget</c> + <c>Failed</c> (BackoffLimitExceeded, as
/// recorded) or <c>SuccessCriteriaMet</c> + <c>Complete</c> (the success form of the same status, with
/// <c>completionTime</c>). A pod that fails while the Job retries raises <c>failed</c> without a condition: only the
/// condition ends a Job. A test decides the outcome, through <see cref="Finish"/> or the <see cref="OutcomeAnnotation"/>
/// on the Job (which finishes it <see cref="RunDuration"/> after it starts); without either the Job runs forever.
/// </summary>
public sealed class JobController(ObjectStore store, DiscoveryCatalog catalog, TimeProvider clock)
{
    /// <summary>Values: <c>Complete</c>, <c>Failed</c>, or <c>PodFailureThenComplete</c> (one failed pod, then success).</summary>
    public const string OutcomeAnnotation = "standin.brokkr.io/job-outcome";

    private readonly Lock _lock = new();

    public TimeSpan RunDuration { get; set; } = TimeSpan.FromMilliseconds(300);

    private ServedResource Jobs => catalog.Find("batch", "v1", "jobs")!;

    public static bool IsJobs(ServedResource resource) => resource.Group == "batch" && resource.Plural == "jobs";

    /// <summary>The create answer's status (replay [0]).</summary>
    public static void OnCreate(JsonObject job) => job["status"] = new JsonObject();

    /// <summary>Starts the Job just after its create is answered, and plays out the annotated outcome, if any.</summary>
    public void AfterCreate(JsonObject job)
    {
        var ns = job["metadata"]!["namespace"]!.GetValue<string>();
        var name = job["metadata"]!["name"]!.GetValue<string>();
        var outcome = job["metadata"]?["annotations"]?[OutcomeAnnotation]?.GetValue<string>();
        _ = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20));
            Update(ns, name, status =>
            {
                status["startTime"] = Now();
                status["active"] = 1;
                status["terminating"] = 0;
                status["uncountedTerminatedPods"] = new JsonObject();
                status["ready"] = 0;
            });
            if (outcome is null)
            {
                return;
            }
            await Task.Delay(RunDuration);
            if (outcome == "PodFailureThenComplete")
            {
                RecordPodFailure(ns, name);
                await Task.Delay(RunDuration);
            }
            Finish(ns, name, succeeded: outcome != "Failed");
        });
    }

    /// <summary>A pod of the Job failed and the controller will retry it: <c>failed</c> goes up, no condition is set.</summary>
    public bool RecordPodFailure(string ns, string name) =>
        Update(ns, name, status => status["failed"] = (status["failed"]?.GetValue<int>() ?? 0) + 1);

    /// <summary>Writes the terminal conditions; false when the Job does not exist.</summary>
    public bool Finish(string ns, string name, bool succeeded, string? reason = null, string? message = null) =>
        Update(ns, name, status =>
        {
            var now = Now();
            status.Remove("active");
            status["terminating"] = 0;
            status["ready"] = 0;
            status["uncountedTerminatedPods"] = new JsonObject();
            status["startTime"] ??= now;
            if (succeeded)
            {
                reason ??= "CompletionsReached";
                message ??= "Reached expected number of succeeded pods";
                status["conditions"] = new JsonArray(Condition("SuccessCriteriaMet", reason, message, now), Condition("Complete", reason, message, now));
                status["completionTime"] = now;
                status["succeeded"] = 1;
            }
            else
            {
                reason ??= "BackoffLimitExceeded";
                message ??= "Job has reached the specified backoff limit";
                status["conditions"] = new JsonArray(Condition("FailureTarget", reason, message, now), Condition("Failed", reason, message, now));
                status["failed"] = (status["failed"]?.GetValue<int>() ?? 0) + 1;
            }
        });

    private bool Update(string ns, string name, Action<JsonObject> change)
    {
        lock (_lock)
        {
            if (store.Get(Jobs, ns, name) is not { } job)
            {
                return false;
            }
            var status = job["status"] as JsonObject ?? new JsonObject();
            change(status);
            job["status"] = status;
            job["metadata"]!["resourceVersion"] = store.NextResourceVersion();
            store.Put(Jobs, ns, name, job);
            return true;
        }
    }

    private static JsonObject Condition(string type, string reason, string message, string now) => new()
    {
        ["type"] = type, ["status"] = "True", ["lastProbeTime"] = now, ["lastTransitionTime"] = now, ["reason"] = reason, ["message"] = message,
    };

    private string Now() => clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
