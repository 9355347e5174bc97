using System.Text.Json.Nodes;
using Brokkr.Agent.Kubernetes;

namespace Brokkr.Agent.WorkOrders;

/// <summary>
/// Watches applied Jobs until each has a terminal condition (<c>Complete</c> or <c>Failed</c> with status True) or
/// the window runs out. The pod counters are not the signal: a Job with a backoffLimit shows <c>failed: 1</c> while it
/// retries and may still succeed. Polls with GET, which the agent's Kubernetes metrics count like every call.
/// </summary>
public sealed class JobWatcher(IKubernetesClient kubernetes, TimeProvider time)
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    public sealed record WatchedJob(ApiResource Resource, string Namespace, string Name);

    public async Task<WorkOrderOutcome> WatchAsync(IReadOnlyList<WatchedJob> jobs, TimeSpan window, string unmonitored,
        CancellationToken cancellationToken)
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
                    return WorkOrderOutcome.Permanent($"Job {job.Namespace}/{job.Name} was deleted before it finished; its outcome is unknown");
                }
                switch (Terminal(current))
                {
                    case ("Complete", _):
                        waiting.Remove(job);
                        finished.Add($"{job.Namespace}/{job.Name}");
                        break;
                    case ("Failed", var detail):
                        return WorkOrderOutcome.Permanent($"Job {job.Namespace}/{job.Name} failed: {detail}");
                }
            }
            if (waiting.Count == 0)
            {
                return WorkOrderOutcome.Ok($"Job(s) completed: {string.Join(", ", finished)}{unmonitored}");
            }
            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                // Not retryable: re-dispatching while the Job may still run is what the window exists to prevent.
                return WorkOrderOutcome.Permanent(
                    $"Job(s) {string.Join(", ", waiting.Select(j => $"{j.Namespace}/{j.Name}"))} did not finish within the " +
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
