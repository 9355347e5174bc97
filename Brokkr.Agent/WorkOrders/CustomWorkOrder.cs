using Brokkr.Agent.Broker;
using Brokkr.Agent.Kubernetes;

namespace Brokkr.Agent.WorkOrders;

/// <summary>
/// A <c>custom</c> work order: every document server-side applied, then each batch/v1 Job watched to its terminal
/// condition; other kinds are applied only, and the result message names them as not monitored. A document the
/// cluster cannot take (bad YAML, unserved kind, invalid object) fails the order for good; a transient API failure is
/// retryable.
/// </summary>
public sealed class CustomWorkOrder(IKubernetesClient kubernetes, JobWatcher watcher, string? watchNamespace) : IWorkOrderType
{
    public const string WorkType = "custom";

    public async Task<WorkOrderOutcome> RunAsync(WorkOrderRecord order, CancellationToken cancellationToken)
    {
        var (objects, invalid) = WorkOrderApply.Parse(order.YamlContent);
        if (invalid is not null)
        {
            return invalid;
        }

        var apply = new WorkOrderApply(kubernetes, watchNamespace);
        var jobs = new List<JobWatcher.WatchedJob>();
        var unmonitored = new List<string>();
        foreach (var obj in objects)
        {
            var applied = await apply.ApplyAsync(obj, cancellationToken);
            if (applied.Failure is not null)
            {
                return applied.Failure;
            }
            if (obj["apiVersion"]!.GetValue<string>() == "batch/v1" && obj["kind"]!.GetValue<string>() == "Job")
            {
                jobs.Add(applied.Object!);
            }
            else
            {
                unmonitored.Add(obj["kind"]!.GetValue<string>());
            }
        }

        var notWatched = unmonitored.Count == 0 ? "" : $"; applied without monitoring: {string.Join(", ", unmonitored.Distinct())}";
        if (jobs.Count == 0)
        {
            return WorkOrderOutcome.Ok($"applied {objects.Count} object(s){notWatched}");
        }
        return await watcher.WatchAsync(jobs, WatchWindow.For(order.ClaimTimeoutSeconds), notWatched, cancellationToken);
    }
}
