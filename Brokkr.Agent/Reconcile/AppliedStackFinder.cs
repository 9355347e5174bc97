using Brokkr.Agent.Kubernetes;

namespace Brokkr.Agent.Reconcile;

/// <summary>
/// Reads back from the cluster which stacks this agent has objects of (stack label present, owner annotation is this
/// agent, no ownerReferences). The control loop starts from this set, so a stack whose target was removed while the
/// agent was down or restarting is still cleaned up.
/// </summary>
public static class AppliedStackFinder
{
    /// <exception cref="KubernetesApiException">Discovery failed, or no resource type could be listed.</exception>
    public static async Task<IReadOnlySet<Guid>> FindAsync(IKubernetesClient kubernetes, Guid agentId, string? watchNamespace,
        CancellationToken cancellationToken)
    {
        var resources = (await kubernetes.GetPreferredResourcesAsync(cancellationToken))
            .Where(r => r.Supports("list") && r.Supports("delete")).ToList();
        var stacks = new HashSet<Guid>();
        KubernetesApiException? lastError = null;
        var listed = 0;
        foreach (var resource in resources)
        {
            try
            {
                var objects = await kubernetes.ListAsync(resource, resource.Namespaced ? watchNamespace : null,
                    BrokkrMetadata.StackLabel, cancellationToken);
                listed++;
                foreach (var obj in objects.Where(o => !BrokkrMetadata.HasOwnerReferences(o)
                             && BrokkrMetadata.Annotation(o, BrokkrMetadata.OwnerAnnotation) == agentId.ToString()))
                {
                    if (Guid.TryParse(BrokkrMetadata.Annotation(obj, BrokkrMetadata.StackAnnotation), out var stackId))
                    {
                        stacks.Add(stackId);
                    }
                }
            }
            catch (KubernetesApiException e)
            {
                // RBAC may hide some types; what is listable still counts.
                lastError = e;
            }
        }

        return listed == 0 && lastError is not null ? throw lastError : stacks;
    }
}
