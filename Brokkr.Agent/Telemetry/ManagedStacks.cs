using System.Text.Json.Nodes;
using Brokkr.Agent.DeploymentHealth;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Reconcile;

namespace Brokkr.Agent.Telemetry;

/// <summary>
/// Which of this agent's stacks a Kubernetes object belongs to: its own <c>k8s.brokkr.io/stack</c> stamp (with this
/// agent as <c>brokkr.io/owner-id</c>), else its controller owner's, up to four levels (Pod → ReplicaSet →
/// Deployment). Answers are cached per object for five minutes in a bounded map (upstream's UID cache: an evicted
/// entry only costs a lookup), so the events of one pod cost one walk, not one per event.
/// </summary>
public sealed class ManagedStacks(IKubernetesClient kubernetes, TimeProvider time)
{
    public const int MaxCached = 10_000;
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    private readonly Dictionary<(string ApiVersion, string Kind, string? Namespace, string Name), (Guid? Stack, DateTimeOffset Until)> _cache = [];

    /// <summary>The stack of the object <paramref name="obj"/> (already fetched), or null when it is not this agent's.</summary>
    public Task<Guid?> OfAsync(JsonObject obj, Guid agentId, CancellationToken cancellationToken) =>
        new PodAttribution(kubernetes).FindUpAsync(obj, o => Stamped(o, agentId), cancellationToken);

    /// <summary>The stack of the object a reference names (an event's <c>involvedObject</c>), or null.</summary>
    public async Task<Guid?> OfReferenceAsync(string apiVersion, string kind, string? ns, string name, Guid agentId,
        CancellationToken cancellationToken)
    {
        var key = (apiVersion, kind, ns, name);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.Until > now)
        {
            return cached.Stack;
        }
        var resource = await kubernetes.ResolveAsync(apiVersion, kind, cancellationToken);
        var found = resource is null ? null : await kubernetes.GetAsync(resource, ns, name, cancellationToken);
        if (found is null)
        {
            return null; // not cached: an event can name an object a moment before it exists
        }
        var stack = await OfAsync(found, agentId, cancellationToken);
        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }
        _cache[key] = (stack, now + Ttl);
        return stack;
    }

    private static Guid? Stamped(JsonObject obj, Guid agentId) =>
        BrokkrMetadata.Annotation(obj, BrokkrMetadata.OwnerAnnotation) == agentId.ToString()
        && Guid.TryParse(BrokkrMetadata.Annotation(obj, BrokkrMetadata.StackAnnotation), out var stack) ? stack : null;
}
