using Brokkr.Agent.Kubernetes;

namespace Brokkr.Agent.Reconcile;

/// <summary>
/// Reads back from the cluster which stacks this agent has objects of (stack label present, <see cref="ObjectOwnership"/>
/// says they are ours). The control loop starts from this set, so a stack whose target was removed while the
/// agent was down or restarting is still cleaned up.
/// </summary>
public static class AppliedStackFinder
{
    /// <exception cref="KubernetesApiException">Discovery failed, or no resource type could be listed.</exception>
    /// <returns>
    /// Stack id → the deployment object its objects carry (null if unreadable); <c>Complete</c> false when some
    /// group-version could not be discovered, so stacks whose objects are all of its kinds may be missing.
    /// </returns>
    public static async Task<(IReadOnlyDictionary<Guid, Guid?> Stacks, bool Complete)> FindAsync(IKubernetesClient kubernetes,
        Guid agentId, string? watchNamespace, CancellationToken cancellationToken)
    {
        var discovered = await kubernetes.GetPreferredResourcesAsync(cancellationToken);
        var resources = discovered.Resources.Where(r => r.Supports("list") && r.Supports("delete")).ToList();
        var stacks = new Dictionary<Guid, Guid?>();
        KubernetesApiException? lastError = null;
        var listed = 0;
        foreach (var resource in resources)
        {
            try
            {
                var objects = await kubernetes.ListAsync(resource, resource.Namespaced ? watchNamespace : null,
                    BrokkrMetadata.StackLabel, cancellationToken);
                listed++;
                foreach (var obj in objects.Where(o => ObjectOwnership.IsOurs(o, agentId)))
                {
                    if (Guid.TryParse(BrokkrMetadata.Annotation(obj, BrokkrMetadata.StackAnnotation), out var stackId))
                    {
                        stacks[stackId] = Guid.TryParse(BrokkrMetadata.Annotation(obj, BrokkrMetadata.DeploymentObjectAnnotation),
                            out var deploymentObjectId) ? deploymentObjectId : stacks.GetValueOrDefault(stackId);
                    }
                }
            }
            catch (KubernetesApiException e)
            {
                // RBAC may hide some types; what is listable still counts.
                lastError = e;
            }
        }

        return listed == 0 && lastError is not null ? throw lastError : (stacks, discovered.Unavailable.Count == 0);
    }
}
