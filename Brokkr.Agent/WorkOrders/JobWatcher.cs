using System.Text.Json.Nodes;
using Brokkr.Agent.Kubernetes;

namespace Brokkr.Agent.WorkOrders;

/// <summary>
/// Watches applied Jobs until each has a terminal condition (<c>Complete</c> or <c>Failed</c> with status True) or
/// the window runs out; BuildRuns likewise, read through their own <see cref="WatchedKind"/>. The pod counters are not the signal: a Job with a backoffLimit shows <c>failed: 1</c> while it
/// retries and may still succeed. Polls with GET, which the agent's Kubernetes metrics count like every call.
/// </summary>
public sealed class JobWatcher(IKubernetesClient kubernetes, TimeProvider time)
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    public sealed record WatchedJob(ApiResource Resource, string Namespace, string Name);

    /// <summary>
    /// What is watched: the kind named in messages, how an object's terminal state is read (null while it runs), and
    /// whether the success detail (a BuildRun's image digest) belongs in the result message.
    /// </summary>
    public sealed record WatchedKind(string Kind, Func<JsonObject, (bool Succeeded, string Detail)?> Terminal, bool DetailOnSuccess);

    public static readonly WatchedKind Jobs = new("Job", job => Terminal(job) is { } t ? (t.Type == "Complete", t.Detail) : null, false);

    public Task<WorkOrderOutcome> WatchAsync(IReadOnlyList<WatchedJob> jobs, TimeSpan window, string unmonitored,
        CancellationToken cancellationToken) => WatchAsync(Jobs, jobs, window, unmonitored, cancellationToken);

    public async Task<WorkOrderOutcome> WatchAsync(WatchedKind kind, IReadOnlyList<WatchedJob> jobs, TimeSpan window,
        string unmonitored, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + window;
        var waiting = jobs.ToList();
        var finished = new List<string>();
        while (true)
        {
            foreach (var job in waiting.ToList())
            {
                JsonObject? current;
                try
                {
                    current = await kubernetes.GetAsync(job.Resource, job.Namespace, job.Name, cancellationToken);
                }
                catch (KubernetesApiException e) when (e.IsTransient)
                {
                    continue; // asked again at the next poll
                }
                if (current is null)
                {
                    return WorkOrderOutcome.Permanent(
                        $"{kind.Kind} {job.Namespace}/{job.Name} was deleted before it finished; its outcome is unknown");
                }
                switch (kind.Terminal(current))
                {
                    case (true, var detail):
                        waiting.Remove(job);
                        var done = $"{job.Namespace}/{job.Name}";
                        finished.Add(kind.DetailOnSuccess && detail.Length > 0 ? $"{done} ({detail})" : done);
                        break;
                    case (false, var detail):
                        return WorkOrderOutcome.Permanent($"{kind.Kind} {job.Namespace}/{job.Name} failed: {detail}");
                }
            }
            if (waiting.Count == 0)
            {
                return WorkOrderOutcome.Ok($"{kind.Kind}(s) completed: {string.Join(", ", finished)}{unmonitored}");
            }
            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                // Not retryable: re-dispatching while the Job (or build) may still run is what the window exists to prevent.
                return WorkOrderOutcome.Permanent(
                    $"{kind.Kind}(s) {string.Join(", ", waiting.Select(j => $"{j.Namespace}/{j.Name}"))} did not finish within the " +
                    $"{window.TotalSeconds:0} s watch window and may still be running; Brokkr did not cancel them") with
                {
                    Result = WorkOrderOutcome.TimedOut,
                };
            }
            await Task.Delay(left < PollInterval ? left : PollInterval, time, cancellationToken);
        }
    }

    /// <summary>The Job's terminal condition type and its reason/message, or null while it runs.</summary>
    public static (string Type, string Detail)? Terminal(JsonObject job)
    {
        if (job["status"]?["conditions"] is not JsonArray conditions)
        {
            return null;
        }
        foreach (var condition in conditions.OfType<JsonObject>())
        {
            var type = condition["type"]?.GetValue<string>();
            if (type is "Complete" or "Failed" && condition["status"]?.GetValue<string>() == "True")
            {
                var reason = condition["reason"]?.GetValue<string>();
                var message = condition["message"]?.GetValue<string>();
                return (type, string.Join(": ", new[] { reason, message }.Where(s => !string.IsNullOrEmpty(s))));
            }
        }
        return null;
    }
}
