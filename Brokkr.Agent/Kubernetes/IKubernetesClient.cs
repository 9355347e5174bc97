using System.Text.Json.Nodes;

namespace Brokkr.Agent.Kubernetes;

/// <summary>The agent's view of the Kubernetes API: discovery, server-side apply, get, list, delete, pod logs.</summary>
public interface IKubernetesClient
{
    KubernetesConnection Connection { get; }

    /// <summary>GET /version (counted as a <c>discovery</c> operation); also the heartbeat's reachability and latency probe.</summary>
    Task<JsonObject> GetVersionAsync(CancellationToken cancellationToken);

    /// <summary>GET /version without reporting it to the observer: for health probes, which must not move operation metrics.</summary>
    Task ProbeAsync(CancellationToken cancellationToken);

    /// <summary>Maps apiVersion + kind to a served resource; refreshes discovery once on a miss; null if unserved.</summary>
    Task<ApiResource?> ResolveAsync(string apiVersion, string kind, CancellationToken cancellationToken);

    /// <summary>
    /// The resources of every group's preferred version (from the cache, refreshed when stale), and the preferred
    /// group-versions discovery could not read this time: callers must not take their absence for "no objects".
    /// </summary>
    Task<PreferredResources> GetPreferredResourcesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Forgets cached discovery so the next lookup asks the server again (e.g. after a CRD is established). Also done
    /// by the client itself when a resource path answers the plain-text "404 page not found".
    /// </summary>
    void InvalidateDiscovery();

    /// <summary>Server-side apply (PATCH application/apply-patch+yaml) of <paramref name="manifest"/>.</summary>
    Task<ApplyResult> ApplyAsync(ApiResource resource, JsonObject manifest, ApplyOptions options,
        CancellationToken cancellationToken);

    /// <summary>The object, or null when it does not exist.</summary>
    Task<JsonObject?> GetAsync(ApiResource resource, string? ns, string name, CancellationToken cancellationToken);

    /// <summary>Objects of a type (in <paramref name="ns"/>, or everywhere when null), stamped with apiVersion/kind.</summary>
    Task<IReadOnlyList<JsonObject>> ListAsync(ApiResource resource, string? ns, string? labelSelector,
        CancellationToken cancellationToken);

    /// <summary>
    /// The last <paramref name="tailLines"/> lines of a container's log, at most <paramref name="limitBytes"/> bytes of
    /// them (the <c>pods/log</c> subresource; counted as a <c>get</c>).
    /// </summary>
    Task<string> GetPodLogAsync(string ns, string pod, string container, int tailLines, int limitBytes, CancellationToken cancellationToken);

    /// <summary>Deletes with a propagation policy; false when the object was already gone.</summary>
    Task<bool> DeleteAsync(ApiResource resource, string? ns, string name, string propagationPolicy,
        CancellationToken cancellationToken);
}

public sealed record ApplyOptions(string FieldManager, bool Force = true, bool DryRun = false);

/// <summary>The server's answer to an apply: the object and whether it was created (201) rather than updated.</summary>
public sealed record ApplyResult(JsonObject Object, bool Created)
{
    public string? ResourceVersion => Object["metadata"]?["resourceVersion"]?.GetValue<string>();
}

/// <summary>Told about every API call so metrics can count them without the client knowing about metrics.</summary>
public interface IKubernetesOperationObserver
{
    void OnOperation(string operation, bool succeeded, TimeSpan duration);
}
