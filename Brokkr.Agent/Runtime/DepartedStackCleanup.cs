using Brokkr.Agent.Broker;
using Brokkr.Agent.Configuration;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Reconcile;

namespace Brokkr.Agent.Runtime;

/// <summary>
/// Stack removal (brokkr-core.md §7.4 step 2, §7.6): keeps the set of stacks this agent applied — recovered from the
/// cluster once per process — and removes the objects of those that left the broker's full target state (stack
/// deleted, target removed, labels no longer matching). No event is sent for a removal.
/// </summary>
public sealed class DepartedStackCleanup(BrokerClient broker, Lazy<IKubernetesClient> kubernetes,
    Lazy<StackReconciler> reconciler, AgentSettings settings, ILogger<DepartedStackCleanup> log)
{
    private bool _recovered;

    /// <summary>Stacks this agent applied (R in the spec); the reconcile cycle adds and removes as it applies.</summary>
    public AppliedStacks Applied { get; } = new();

    /// <summary>Removes departed stacks; false when the broker could not be reached.</summary>
    public async Task<bool> RunAsync(AgentRecord self, CancellationToken cancellationToken)
    {
        await RecoverAsync(self, cancellationToken);
        return await RemoveDepartedAsync(self, cancellationToken);
    }

    /// <summary>Once per process: start from the stacks the cluster says this agent applied before a restart.</summary>
    private async Task RecoverAsync(AgentRecord self, CancellationToken cancellationToken)
    {
        if (_recovered)
        {
            return;
        }

        try
        {
            var (stacks, complete) = await AppliedStackFinder.FindAsync(kubernetes.Value, self.Id, settings.WatchNamespace,
                cancellationToken);
            foreach (var (stackId, deploymentObjectId) in stacks)
            {
                Applied.Remember(stackId, deploymentObjectId);
            }

            // With an API group undiscoverable, look again next cycle for stacks that live only in it.
            _recovered = complete;
            log.LogInformation("Found objects of {Count} stacks applied by this agent in the cluster{Partial}", stacks.Count,
                complete ? "" : " (some API groups could not be discovered; looking again next cycle)");
        }
        catch (KubernetesApiException e)
        {
            log.LogWarning("Could not list this agent's objects in the cluster, retrying next cycle: {Error}", e.Message);
        }
    }

    /// <summary>
    /// Compares the stacks this agent applied with the authoritative full target state (not the incremental list,
    /// which loses an object once it is acknowledged) and removes the departed stacks' objects.
    /// </summary>
    private async Task<bool> RemoveDepartedAsync(AgentRecord self, CancellationToken cancellationToken)
    {
        if (Applied.IsEmpty)
        {
            return true;
        }

        HashSet<Guid> desired;
        try
        {
            desired = (await broker.GetTargetStateAsync(self.Id, full: true, cancellationToken)).Select(o => o.StackId).ToHashSet();
        }
        catch (BrokerUnreachableException e)
        {
            log.LogWarning("Full target-state fetch failed: {Error}", e.Message);
            return false;
        }
        catch (BrokerApiException e)
        {
            log.LogWarning("Full target-state fetch refused, skipping stack removal this cycle: {Error}", e.Message);
            return true;
        }

        foreach (var stackId in Applied.Except(desired))
        {
            try
            {
                var pruned = await reconciler.Value.RemoveStackAsync(stackId, self.Id, cancellationToken);
                Applied.Forget(stackId);
                log.LogInformation("Stack {StackId} is no longer targeted: removed {Count} objects", stackId, pruned);
            }
            catch (Exception e) when (e is ReconcileException or KubernetesApiException)
            {
                log.LogWarning("Removing departed stack {StackId} failed, retrying next cycle: {Error}", stackId, e.Message);
            }
        }

        return true;
    }
}
