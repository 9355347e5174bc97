using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// The discovery formats read into KubernetesClient's models — legacy <c>APIResourceList</c>/<c>APIGroupList</c> and
/// aggregated <c>APIGroupDiscoveryList</c> (apidiscovery.k8s.io v2, and v2beta1, which has the same shape) — and mapped
/// to the agent's <see cref="ApiResource"/>. Subresources are skipped.
/// </summary>
public static class DiscoveryDocuments
{
    public const string AggregatedAccept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList," +
        "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    public static bool IsAggregated(JsonNode document) => document["kind"]?.GetValue<string>() == "APIGroupDiscoveryList";

    /// <summary>Resources of one legacy <c>APIResourceList</c> (GET /api/v1, /apis/{g}/{v}).</summary>
    public static IReadOnlyList<ApiResource> ParseResourceList(JsonNode document)
    {
        var list = KubernetesJson.Deserialize<V1APIResourceList>(document);
        var (group, version) = ApiResource.SplitApiVersion(list.GroupVersion ?? "");
        return (list.Resources ?? []).Where(r => r.Name is not null && r.Kind is not null && !r.Name.Contains('/'))
            .Select(r => new ApiResource(group, version, r.Name, r.Kind, r.Namespaced, [.. r.Verbs ?? []]))
            .ToList();
    }

    /// <summary>The (group, version, preferred) triples of a legacy <c>APIGroupList</c> (GET /apis).</summary>
    public static IReadOnlyList<(string Group, string Version, bool Preferred)> ParseGroupList(JsonNode document) =>
        (KubernetesJson.Deserialize<V1APIGroupList>(document).Groups ?? [])
        .SelectMany(g => (g.Versions ?? []).Where(v => v.Version is not null)
            .Select(v => (g.Name ?? "", v.Version, v.Version == g.PreferredVersion?.Version)))
        .ToList();

    /// <summary>Every group-version of an aggregated document; the first version of each group is preferred.</summary>
    public static IReadOnlyList<ApiGroupVersion> ParseAggregated(JsonNode document) =>
        (KubernetesJson.Deserialize<V2APIGroupDiscoveryList>(document).Items ?? [])
        .SelectMany(g => (g.Versions ?? []).Select((v, index) => new ApiGroupVersion(g.Metadata?.Name ?? "", v.Version ?? "",
            Preferred: index == 0,
            (v.Resources ?? []).Where(r => r.Resource is not null && r.ResponseKind?.Kind is not null)
                .Select(r => new ApiResource(g.Metadata?.Name ?? "", v.Version ?? "", r.Resource, r.ResponseKind.Kind,
                    r.Scope == "Namespaced", [.. r.Verbs ?? []]))
                .ToList(),
            Stale: v.Freshness == "Stale")))
        .ToList();
}
