using System.Text.Json.Nodes;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Reconcile;

namespace Brokkr.Agent.WorkOrders;

/// <summary>
/// Server-side applies one object of a work order, filling in the namespace as the agent does for stacks. What the
/// cluster refuses for good (unserved kind, invalid object) fails the order; a transient API failure or a conflict is
/// retryable.
/// </summary>
public sealed class WorkOrderApply(IKubernetesClient kubernetes, string? watchNamespace)
{
    public const string FieldManager = "brokkr-work-orders";

    public sealed record Applied(JobWatcher.WatchedJob? Object, WorkOrderOutcome? Failure);

    /// <summary>The order's documents, or the permanent failure of YAML that does not parse or holds nothing.</summary>
    public static (List<JsonObject> Objects, WorkOrderOutcome? Failure) Parse(string yaml)
    {
        try
        {
            var objects = BundleParser.Parse(yaml);
            return (objects, objects.Count == 0 ? WorkOrderOutcome.Permanent("the work order holds no objects") : null);
        }
        catch (BundleParseException e)
        {
            return ([], WorkOrderOutcome.Permanent($"invalid work order YAML: {e.Message}"));
        }
    }

    public async Task<Applied> ApplyAsync(JsonObject obj, CancellationToken cancellationToken)
    {
        var apiVersion = obj["apiVersion"]!.GetValue<string>();
        var kind = obj["kind"]!.GetValue<string>();
        var name = obj["metadata"]!["name"]!.GetValue<string>();
        try
        {
            var resource = await kubernetes.ResolveAsync(apiVersion, kind, cancellationToken);
            if (resource is null)
            {
                return new Applied(null, WorkOrderOutcome.Permanent($"{apiVersion} {kind} is not served by the cluster"));
            }
            var ns = resource.Namespaced
                ? (string)(obj["metadata"]!["namespace"] ??= watchNamespace ?? kubernetes.Connection.DefaultNamespace)!
                : null;
            await kubernetes.ApplyAsync(resource, obj, new ApplyOptions(FieldManager), cancellationToken);
            return new Applied(new JobWatcher.WatchedJob(resource, ns!, name), null);
        }
        catch (KubernetesApiException e)
        {
            var message = $"applying {kind} {name} failed: {e.Message}";
            return new Applied(null, e.IsTransient || e is KubernetesConflictException ? WorkOrderOutcome.Transient(message) : WorkOrderOutcome.Permanent(message));
        }
        catch (HttpRequestException e)
        {
            return new Applied(null, WorkOrderOutcome.Transient($"the Kubernetes API could not be reached applying {kind} {name}: {e.Message}"));
        }
    }
}
