using System.Text.Json.Nodes;

namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// Parsers for the discovery formats: legacy <c>APIResourceList</c>/<c>APIGroupList</c> and aggregated
/// <c>APIGroupDiscoveryList</c> (apidiscovery.k8s.io v2 and v2beta1). Subresources are skipped.
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
        var (group, version) = ApiResource.SplitApiVersion(document["groupVersion"]?.GetValue<string>() ?? "");
        var resources = new List<ApiResource>();
        foreach (var entry in document["resources"]?.AsArray() ?? [])
        {
            var name = entry?["name"]?.GetValue<string>();
            var kind = entry?["kind"]?.GetValue<string>();
            if (name is null || kind is null || name.Contains('/'))
            {
                continue;
            }

            resources.Add(new ApiResource(group, version, name, kind,
                entry?["namespaced"]?.GetValue<bool>() ?? false, Strings(entry?["verbs"])));
        }

        return resources;
    }

    /// <summary>The (group, version, preferred) triples of a legacy <c>APIGroupList</c> (GET /apis).</summary>
    public static IReadOnlyList<(string Group, string Version, bool Preferred)> ParseGroupList(JsonNode document)
    {
        var result = new List<(string, string, bool)>();
        foreach (var group in document["groups"]?.AsArray() ?? [])
        {
            var name = group?["name"]?.GetValue<string>() ?? "";
            var preferred = group?["preferredVersion"]?["version"]?.GetValue<string>();
            foreach (var version in group?["versions"]?.AsArray() ?? [])
            {
                var v = version?["version"]?.GetValue<string>();
                if (v is not null)
                {
                    result.Add((name, v, v == preferred));
                }
            }
        }

        return result;
    }

    /// <summary>Every group-version of an aggregated document; the first version of each group is preferred.</summary>
    public static IReadOnlyList<ApiGroupVersion> ParseAggregated(JsonNode document)
    {
        var result = new List<ApiGroupVersion>();
        foreach (var item in document["items"]?.AsArray() ?? [])
        {
            var group = item?["metadata"]?["name"]?.GetValue<string>() ?? "";
            var first = true;
            foreach (var version in item?["versions"]?.AsArray() ?? [])
            {
                var v = version?["version"]?.GetValue<string>() ?? "";
                var resources = new List<ApiResource>();
                foreach (var entry in version?["resources"]?.AsArray() ?? [])
                {
                    var plural = entry?["resource"]?.GetValue<string>();
                    var kind = entry?["responseKind"]?["kind"]?.GetValue<string>();
                    if (plural is null || kind is null)
                    {
                        continue;
                    }

                    resources.Add(new ApiResource(group, v, plural, kind,
                        entry?["scope"]?.GetValue<string>() == "Namespaced", Strings(entry?["verbs"])));
                }

                result.Add(new ApiGroupVersion(group, v, first, resources,
                    Stale: version?["freshness"]?.GetValue<string>() == "Stale"));
                first = false;
            }
        }

        return result;
    }

    private static IReadOnlyList<string> Strings(JsonNode? array) =>
        array?.AsArray().Select(v => v?.GetValue<string>()).OfType<string>().ToArray() ?? [];
}
