using System.Text.Json.Nodes;
using Brokkr.Agent.Kubernetes;

namespace Brokkr.Agent.Reconcile;

/// <summary>
/// Finds a stack's objects by the stack label across every listable type, keeps only those this agent owns (stack
/// annotation matches, <see cref="ObjectOwnership"/> says they are ours) and deletes the ones that are
/// not part of the current revision. Deletes are retried on transient errors within a time budget per prune; all are
/// tried (while the budget lasts) before failing.
/// </summary>
public sealed class StackPruner(IKubernetesClient kubernetes, ReconcileOptions options, IReconcileObserver observer,
    ILogger log)
{
    /// <summary>Deletes this agent's objects of <paramref name="stackId"/> whose checksum differs from <paramref name="keepChecksum"/> (null: all).</summary>
    public async Task<int> PruneAsync(Guid stackId, Guid agentId, string? keepChecksum, CancellationToken cancellationToken)
    {
        var discovered = await kubernetes.GetPreferredResourcesAsync(cancellationToken);
        foreach (var unavailable in discovered.Unavailable)
        {
            // Counted as a failed discovery; the group is asked again next cycle, when its objects can be pruned.
            log.LogWarning("Not pruning objects of API group-version {GroupVersion} for stack {StackId} this time: discovery could not read it ({Error})",
                unavailable.GroupVersion, stackId, unavailable.Error);
        }

        var resources = discovered.Resources.Where(r => r.Supports("list") && r.Supports("delete")).ToList();
        var candidates = new List<(ApiResource Resource, JsonObject Object)>();
        var listErrors = new List<string>();
        foreach (var resource in resources)
        {
            try
            {
                var ns = resource.Namespaced ? options.WatchNamespace : null;
                foreach (var obj in await kubernetes.ListAsync(resource, ns, BrokkrMetadata.StackSelector(stackId), cancellationToken))
                {
                    candidates.Add((resource, obj));
                }
            }
            catch (KubernetesApiException e)
            {
                // Tolerated (RBAC may hide a type) unless every list fails, but never silently.
                log.LogWarning("Not pruning {Resource} for stack {StackId} this time: listing failed ({Error})",
                    resource.Plural, stackId, e.Message);
                listErrors.Add($"list {resource.Plural}: {e.Message}");
            }
        }

        if (resources.Count > 0 && listErrors.Count == resources.Count)
        {
            throw new ReconcileException($"cannot list any resource type to prune stack {stackId}: {listErrors[0]}");
        }

        var doomed = candidates.Where(c => IsOwnedStale(c.Object, stackId, agentId, keepChecksum))
            .OrderBy(c => DeleteOrder(c.Resource)).ToList();
        var errors = new List<string>();
        var pruned = 0;
        var deadline = DateTimeOffset.UtcNow + options.PruneTimeBudget;
        var notAttempted = 0;
        foreach (var (resource, obj) in doomed)
        {
            if (DateTimeOffset.UtcNow >= deadline)
            {
                observer.OnObject(ReconcileActions.Failed);
                notAttempted++;
                continue;
            }

            try
            {
                await DeleteWithRetryAsync(resource, obj, deadline, cancellationToken);
                observer.OnObject(ReconcileActions.Pruned);
                pruned++;
            }
            catch (KubernetesApiException e)
            {
                observer.OnObject(ReconcileActions.Failed);
                errors.Add($"delete {BrokkrMetadata.Describe(obj)}: {e.Message}");
            }
        }

        if (notAttempted > 0)
        {
            errors.Add($"{notAttempted} more not attempted: the prune time budget of {options.PruneTimeBudget.TotalSeconds:0.#} s was used up (left for the next prune)");
        }

        return errors.Count == 0 ? pruned : throw new ReconcileException("pruning failed: " + string.Join("; ", errors));
    }

    private static bool IsOwnedStale(JsonObject obj, Guid stackId, Guid agentId, string? keepChecksum) =>
        BrokkrMetadata.Annotation(obj, BrokkrMetadata.StackAnnotation) == stackId.ToString()
        && ObjectOwnership.IsOurs(obj, agentId)
        && (keepChecksum is null || BrokkrMetadata.Annotation(obj, BrokkrMetadata.ChecksumAnnotation) != keepChecksum);

    // Namespaced content first, then namespaces (which take their content with them), CRDs last.
    private static int DeleteOrder(ApiResource resource) => resource.Kind switch
    {
        "CustomResourceDefinition" => 2,
        "Namespace" => 1,
        _ => 0,
    };

    private async Task DeleteWithRetryAsync(ApiResource resource, JsonObject obj, DateTimeOffset pruneDeadline,
        CancellationToken cancellationToken)
    {
        var ns = obj["metadata"]?["namespace"]?.GetValue<string>();
        var name = obj["metadata"]!["name"]!.GetValue<string>();
        var objectDeadline = DateTimeOffset.UtcNow + options.DeleteRetryBudget;
        var deadline = objectDeadline < pruneDeadline ? objectDeadline : pruneDeadline;
        var delay = options.DeleteRetryFirstDelay;
        while (true)
        {
            try
            {
                await kubernetes.DeleteAsync(resource, ns, name, "Background", cancellationToken);
                return;
            }
            catch (KubernetesApiException e) when (e.IsTransient && DateTimeOffset.UtcNow + delay < deadline)
            {
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(60).Ticks));
            }
        }
    }
}
