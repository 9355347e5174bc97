using System.Text.Json.Nodes;
using Brokkr.Agent.Broker;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Reconcile;

namespace Brokkr.Agent.WorkOrders;

/// <summary>
/// A <c>custom</c> work order: every document server-side applied, then each batch/v1 Job watched to its terminal
/// condition; other kinds are applied only, and the result message names them as not monitored. A document the
/// cluster cannot take (bad YAML, unserved kind, invalid object) fails the order for good; a transient API failure is
/// retryable.
/// </summary>
public sealed class CustomWorkOrder(IKubernetesClient kubernetes, JobWatcher watcher, string? watchNamespace)
{
    public const string WorkType = "custom";
    public const string FieldManager = "brokkr-work-orders";

    public async Task<WorkOrderOutcome> RunAsync(WorkOrderRecord order, CancellationToken cancellationToken)
    {
        List<JsonObject> objects;
        try
        {
            objects = BundleParser.Parse(order.YamlContent);
        }
        catch (BundleParseException e)
        {
            return WorkOrderOutcome.Permanent($"invalid work order YAML: {e.Message}");
        }
        if (objects.Count == 0)
        {
            return WorkOrderOutcome.Permanent("the work order holds no objects");
        }

        var jobs = new List<JobWatcher.WatchedJob>();
        var unmonitored = new List<string>();
        foreach (var obj in objects)
        {
            var apiVersion = obj["apiVersion"]!.GetValue<string>();
            var kind = obj["kind"]!.GetValue<string>();
            var name = obj["metadata"]!["name"]!.GetValue<string>();
            try
            {
                var resource = await kubernetes.ResolveAsync(apiVersion, kind, cancellationToken);
                if (resource is null)
                {
                    return WorkOrderOutcome.Permanent($"{apiVersion} {kind} is not served by the cluster");
                }
                var ns = resource.Namespaced
                    ? (string)(obj["metadata"]!["namespace"] ??= watchNamespace ?? kubernetes.Connection.DefaultNamespace)!
                    : null;
                await kubernetes.ApplyAsync(resource, obj, new ApplyOptions(FieldManager), cancellationToken);
                if (apiVersion == "batch/v1" && kind == "Job")
                {
                    jobs.Add(new JobWatcher.WatchedJob(resource, ns!, name));
                }
                else
                {
                    unmonitored.Add(kind);
                }
            }
            catch (KubernetesApiException e)
            {
                var message = $"applying {kind} {name} failed: {e.Message}";
                return e.IsTransient || e is KubernetesConflictException ? WorkOrderOutcome.Transient(message) : WorkOrderOutcome.Permanent(message);
            }
            catch (HttpRequestException e)
            {
                return WorkOrderOutcome.Transient($"the Kubernetes API could not be reached applying {kind} {name}: {e.Message}");
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
