using System.Text.Json.Nodes;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Reconcile;

namespace Brokkr.Agent.DeploymentHealth;

/// <summary>
/// Which deployment object a pod belongs to (brokkr-core.md §7.7): its own <c>brokkr.io/deployment-object-id</c>
/// label or annotation, else that annotation on its controller (or first) owner, followed up to four levels
/// (Pod → ReplicaSet → Deployment). Owners are fetched once per sweep.
/// </summary>
public sealed class PodAttribution(IKubernetesClient kubernetes)
{
    public const int MaxOwnerDepth = 4;
    private readonly Dictionary<(string, string, string?, string), JsonObject?> _owners = [];

    public Task<Guid?> DeploymentObjectOfAsync(JsonObject pod, CancellationToken cancellationToken) =>
        FindUpAsync(pod, Own, cancellationToken);

    /// <summary>The first non-null <paramref name="own"/> of the object or its owners, up to <see cref="MaxOwnerDepth"/> levels.</summary>
    public async Task<T?> FindUpAsync<T>(JsonObject obj, Func<JsonObject, T?> own, CancellationToken cancellationToken) where T : struct
    {
        var current = obj;
        for (var depth = 0; depth <= MaxOwnerDepth && current is not null; depth++)
        {
            if (own(current) is { } found)
            {
                return found;
            }

            current = await OwnerAsync(current, cancellationToken);
        }

        return null;
    }

    private static Guid? Own(JsonObject obj)
    {
        var label = obj["metadata"]?["labels"]?[BrokkrMetadata.DeploymentObjectAnnotation];
        var text = label is JsonValue value && value.TryGetValue<string>(out var fromLabel) ? fromLabel
            : BrokkrMetadata.Annotation(obj, BrokkrMetadata.DeploymentObjectAnnotation);
        return Guid.TryParse(text, out var id) ? id : null;
    }

    private async Task<JsonObject?> OwnerAsync(JsonObject obj, CancellationToken cancellationToken)
    {
        var references = (obj["metadata"]?["ownerReferences"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var owner = references.FirstOrDefault(r => r["controller"] is JsonValue v && v.TryGetValue<bool>(out var c) && c)
            ?? references.FirstOrDefault();
        if (owner?["apiVersion"]?.GetValue<string>() is not { } apiVersion || owner["kind"]?.GetValue<string>() is not { } kind
            || owner["name"]?.GetValue<string>() is not { } name)
        {
            return null;
        }

        var ns = obj["metadata"]?["namespace"]?.GetValue<string>();
        var key = (apiVersion, kind, ns, name);
        if (!_owners.TryGetValue(key, out var found))
        {
            var resource = await kubernetes.ResolveAsync(apiVersion, kind, cancellationToken);
            found = resource is null ? null : await kubernetes.GetAsync(resource, ns, name, cancellationToken);
            _owners[key] = found;
        }

        return found;
    }
}
