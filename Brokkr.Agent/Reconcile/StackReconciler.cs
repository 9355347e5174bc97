using System.Text.Json.Nodes;
using Brokkr.Agent.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brokkr.Agent.Reconcile;

/// <summary>
/// Makes the cluster match one revision of a stack (brokkr-core.md §7.5): Namespaces and CRDs first, a dry-run of
/// everything else, the apply, then pruning of this agent's objects of the stack that are not in the revision.
/// Each object is read before it is applied: one that exists and is not this agent's (<see cref="ObjectOwnership"/>)
/// fails the reconcile instead of being force-applied and so adopted. Any failure before pruning deletes the
/// namespaces this run created and aborts without pruning.
/// </summary>
public sealed class StackReconciler(IKubernetesClient kubernetes, ReconcileOptions options, IReconcileObserver observer,
    ILogger? log = null)
{
    private readonly StackPruner _pruner = new(kubernetes, options, observer, log ?? NullLogger.Instance);

    /// <summary>Reconciles <paramref name="objects"/> (already parsed, priority first); throws <see cref="ReconcileException"/>.</summary>
    public async Task<ReconcileSummary> ReconcileAsync(IReadOnlyList<JsonObject> objects, StackStamp stamp,
        CancellationToken cancellationToken)
    {
        var stamped = objects.Select(o =>
        {
            var copy = (JsonObject)o.DeepClone();
            BrokkrMetadata.Stamp(copy, stamp);
            return copy;
        }).ToList();
        var createdNamespaces = new List<(ApiResource, string)>();
        var counts = new Dictionary<string, int>();
        try
        {
            foreach (var obj in stamped.Where(BundleParser.IsPriority))
            {
                var planned = await CountFailureAsync(() => PlanAsync(obj, stamp.AgentId, cancellationToken));
                await ApplyOneAsync(planned, counts, createdNamespaces, cancellationToken);
                if (obj["kind"]!.GetValue<string>() == "CustomResourceDefinition")
                {
                    await WaitEstablishedAsync(obj, cancellationToken);
                }
            }

            var plan = await ValidateAsync(stamped.Where(o => !BundleParser.IsPriority(o)).ToList(), stamp.AgentId,
                cancellationToken);
            // Priority objects were applied above; applying them again would only be a counted no-op.
            foreach (var planned in plan)
            {
                await ApplyOneAsync(planned, counts, createdNamespaces: null, cancellationToken);
            }
        }
        catch (Exception e) when (e is ReconcileException or KubernetesApiException)
        {
            await RollbackAsync(createdNamespaces);
            throw e as ReconcileException ?? new ReconcileException(e.Message, e);
        }

        var pruned = await _pruner.PruneAsync(stamp.StackId, stamp.AgentId, stamp.Checksum, cancellationToken);
        return new ReconcileSummary(counts.GetValueOrDefault(ReconcileActions.Applied),
            counts.GetValueOrDefault(ReconcileActions.Unchanged), pruned);
    }

    /// <summary>Removes everything this agent applied for a stack that left its desired set.</summary>
    public Task<int> RemoveStackAsync(Guid stackId, Guid agentId, CancellationToken cancellationToken) =>
        _pruner.PruneAsync(stackId, agentId, keepChecksum: null, cancellationToken);

    /// <summary>An object with its resource type and what the cluster holds under its name now.</summary>
    private sealed record PlannedObject(JsonObject Object, ApiResource Resource, JsonObject? Existing);

    /// <summary>Resolves the type and reads the current object; refuses objects that exist and are not this agent's.</summary>
    private async Task<PlannedObject> PlanAsync(JsonObject obj, Guid agentId, CancellationToken cancellationToken)
    {
        var resource = await ResolveAsync(obj, cancellationToken);
        var metadata = obj["metadata"]!;
        JsonObject? existing;
        try
        {
            existing = await kubernetes.GetAsync(resource, metadata["namespace"]?.GetValue<string>(),
                metadata["name"]!.GetValue<string>(), cancellationToken);
        }
        catch (KubernetesApiException e)
        {
            throw new ReconcileException($"get {BrokkrMetadata.Describe(obj)}: {e.Message}", e);
        }

        if (existing is not null && ObjectOwnership.ForeignReason(existing, agentId) is { } reason)
        {
            throw new ReconcileException($"{BrokkrMetadata.Describe(obj)} {reason}; not touching it");
        }

        return new PlannedObject(obj, resource, existing);
    }

    private async Task ApplyOneAsync(PlannedObject planned, Dictionary<string, int> counts,
        List<(ApiResource, string)>? createdNamespaces, CancellationToken cancellationToken)
    {
        var (obj, resource, existing) = planned;
        var result = await CountFailureAsync(async () =>
        {
            try
            {
                return await kubernetes.ApplyAsync(resource, obj, new ApplyOptions(ReconcileOptions.FieldManager), cancellationToken);
            }
            catch (KubernetesApiException e)
            {
                throw new ReconcileException($"apply {BrokkrMetadata.Describe(obj)}: {e.Message}", e);
            }
        });
        var action = existing is not null && existing["metadata"]?["resourceVersion"]?.GetValue<string>() == result.ResourceVersion
            ? ReconcileActions.Unchanged : ReconcileActions.Applied;
        observer.OnObject(action);
        counts[action] = counts.GetValueOrDefault(action) + 1;
        if (existing is null && createdNamespaces is not null && resource.Kind == "Namespace")
        {
            createdNamespaces.Add((resource, obj["metadata"]!["name"]!.GetValue<string>()));
        }
    }

    /// <summary>Runs a step for one object, counting it as failed when the step throws.</summary>
    private async Task<T> CountFailureAsync<T>(Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch (Exception e) when (e is ReconcileException or KubernetesApiException)
        {
            observer.OnObject(ReconcileActions.Failed);
            throw;
        }
    }

    /// <summary>Plans and dry-runs every non-priority object, reporting all errors at once.</summary>
    private async Task<List<PlannedObject>> ValidateAsync(IReadOnlyList<JsonObject> objects, Guid agentId,
        CancellationToken cancellationToken)
    {
        var plan = new List<PlannedObject>();
        var errors = new List<string>();
        foreach (var obj in objects)
        {
            try
            {
                var planned = await PlanAsync(obj, agentId, cancellationToken);
                await kubernetes.ApplyAsync(planned.Resource, obj,
                    new ApplyOptions(ReconcileOptions.ValidationFieldManager, DryRun: true), cancellationToken);
                plan.Add(planned);
            }
            catch (Exception e) when (e is ReconcileException or KubernetesApiException)
            {
                observer.OnObject(ReconcileActions.Failed);
                errors.Add(e is ReconcileException ? e.Message : $"{BrokkrMetadata.Describe(obj)}: {e.Message}");
            }
        }

        return errors.Count == 0 ? plan : throw new ReconcileException("validation failed: " + string.Join("; ", errors));
    }

    /// <summary>Finds the object's resource type and fills in its namespace (object's, watch namespace, context's, default).</summary>
    private async Task<ApiResource> ResolveAsync(JsonObject obj, CancellationToken cancellationToken)
    {
        var apiVersion = obj["apiVersion"]!.GetValue<string>();
        var kind = obj["kind"]!.GetValue<string>();
        var resource = await kubernetes.ResolveAsync(apiVersion, kind, cancellationToken)
            ?? throw new ReconcileException($"kind {kind} in apiVersion {apiVersion} is not served by the cluster");
        var metadata = obj["metadata"]!.AsObject();
        if (resource.Namespaced)
        {
            // brokkr-core.md §7.5 puts agent.watch_namespace first; the kubeconfig context's namespace comes before "default".
            metadata["namespace"] ??= options.WatchNamespace ?? kubernetes.Connection.DefaultNamespace;
        }
        else
        {
            metadata.Remove("namespace");
        }

        return resource;
    }

    private async Task WaitEstablishedAsync(JsonObject crd, CancellationToken cancellationToken)
    {
        var resource = await ResolveAsync(crd, cancellationToken);
        var name = crd["metadata"]!["name"]!.GetValue<string>();
        var deadline = DateTimeOffset.UtcNow + options.CrdEstablishTimeout;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var current = await kubernetes.GetAsync(resource, null, name, cancellationToken);
            if (current?["status"]?["conditions"] is JsonArray conditions && conditions.Any(c =>
                    c?["type"]?.GetValue<string>() == "Established" && c["status"]?.GetValue<string>() == "True"))
            {
                kubernetes.InvalidateDiscovery();
                return;
            }

            if (DateTimeOffset.UtcNow + delay > deadline)
            {
                throw new ReconcileException($"CustomResourceDefinition {name} did not become Established within {options.CrdEstablishTimeout.TotalSeconds:0} s");
            }

            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    private async Task RollbackAsync(List<(ApiResource Resource, string Name)> createdNamespaces)
    {
        foreach (var (resource, name) in createdNamespaces)
        {
            try
            {
                await kubernetes.DeleteAsync(resource, null, name, "Background", CancellationToken.None);
            }
            catch (KubernetesApiException)
            {
                // Best effort: the namespace stays, and the next revision's apply will reuse it.
            }
        }
    }
}
