using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Fixtures;

namespace Brokkr.KubernetesStandIn.Discovery;

/// <summary>
/// What the stand-in serves, built from the recorded discovery fixtures: the core group from discovery-api-v1.json,
/// every other group from discovery-aggregated-v2.json (rendered as legacy APIResourceLists), plus the versions of
/// CustomResourceDefinitions once they are established.
/// </summary>
public sealed class DiscoveryCatalog
{
    private readonly Lock _lock = new();
    private readonly JsonObject _apiVersions;
    private readonly JsonObject _coreResourceList;
    private readonly List<(string Group, List<(string Version, JsonArray Resources)> Versions)> _groups = [];
    private readonly Dictionary<string, List<ServedResource>> _custom = new(); // CRD name → served resources

    public DiscoveryCatalog(RecordedFixtures fixtures)
    {
        _apiVersions = fixtures.Json("discovery-api.json").AsObject();
        _coreResourceList = fixtures.Json("discovery-api-v1.json").AsObject();
        foreach (var item in fixtures.Json("discovery-aggregated-v2.json")["items"]!.AsArray())
        {
            var versions = new List<(string, JsonArray)>();
            foreach (var version in item!["versions"]!.AsArray())
            {
                versions.Add((version!["version"]!.GetValue<string>(), ToLegacyResources(version["resources"]!.AsArray())));
            }

            _groups.Add((item["metadata"]!["name"]!.GetValue<string>(), versions));
        }
    }

    public JsonObject ApiVersions() => (JsonObject)_apiVersions.DeepClone();

    public JsonObject GroupList()
    {
        var groups = new JsonArray();
        foreach (var (group, versions) in Snapshot())
        {
            var list = new JsonArray(versions.Select(v => (JsonNode)new JsonObject
            {
                ["groupVersion"] = $"{group}/{v.Version}", ["version"] = v.Version,
            }).ToArray());
            groups.Add(new JsonObject
            {
                ["name"] = group,
                ["versions"] = list,
                ["preferredVersion"] = list[0]!.DeepClone(),
            });
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    /// <summary>The APIResourceList of a group-version, or null when it is not served.</summary>
    public JsonObject? ResourceList(string group, string version)
    {
        if (group.Length == 0)
        {
            return version == "v1" ? (JsonObject)_coreResourceList.DeepClone() : null;
        }

        var resources = Snapshot().Where(g => g.Group == group).SelectMany(g => g.Versions)
            .Where(v => v.Version == version).Select(v => v.Resources).FirstOrDefault();
        return resources is null ? null : new JsonObject
        {
            ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = $"{group}/{version}",
            ["resources"] = resources.DeepClone(),
        };
    }

    /// <summary>The top-level (non-subresource) resource of a group-version with this plural.</summary>
    public ServedResource? Find(string group, string version, string plural)
    {
        var list = ResourceList(group, version);
        var entry = list?["resources"]!.AsArray().OfType<JsonObject>()
            .FirstOrDefault(r => r["name"]!.GetValue<string>() == plural);
        if (entry is null)
        {
            return null;
        }

        bool custom;
        lock (_lock)
        {
            custom = _custom.Values.Any(rs => rs.Any(r => r.Group == group && r.Plural == plural));
        }

        return new ServedResource(group, version, plural, entry["kind"]!.GetValue<string>(),
            entry["namespaced"]!.GetValue<bool>(), custom, entry);
    }

    /// <summary>The resource that stores objects of this apiVersion and kind, or null.</summary>
    public ServedResource? FindByKind(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/');
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        var list = ResourceList(group, version);
        var entry = list?["resources"]!.AsArray().OfType<JsonObject>()
            .FirstOrDefault(r => r["kind"]!.GetValue<string>() == kind && !r["name"]!.GetValue<string>().Contains('/'));
        return entry is null ? null : Find(group, version, entry["name"]!.GetValue<string>());
    }

    /// <summary>Serves the versions of an established CRD (spec.group, spec.names, spec.scope, spec.versions[].served).</summary>
    public void RegisterCustomResource(JsonObject crd)
    {
        var spec = crd["spec"]!;
        var group = spec["group"]!.GetValue<string>();
        var names = spec["names"]!;
        var plural = names["plural"]!.GetValue<string>();
        var kind = names["kind"]!.GetValue<string>();
        var namespaced = spec["scope"]?.GetValue<string>() != "Cluster";
        var versions = spec["versions"]!.AsArray().Where(v => v?["served"]?.GetValue<bool>() ?? true)
            .Select(v => v!["name"]!.GetValue<string>()).ToList();
        var entry = new JsonObject
        {
            ["name"] = plural, ["singularName"] = names["singular"]?.GetValue<string>() ?? kind.ToLowerInvariant(),
            ["namespaced"] = namespaced, ["kind"] = kind,
            ["verbs"] = new JsonArray("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"),
        };
        lock (_lock)
        {
            _custom[crd["metadata"]!["name"]!.GetValue<string>()] = versions
                .Select(v => new ServedResource(group, v, plural, kind, namespaced, true, entry)).ToList();
        }
    }

    /// <summary>Stops serving a deleted CRD's types; returns what it served.</summary>
    public IReadOnlyList<ServedResource> UnregisterCustomResource(string crdName)
    {
        lock (_lock)
        {
            return _custom.Remove(crdName, out var removed) ? removed : [];
        }
    }

    private List<(string Group, List<(string Version, JsonArray Resources)> Versions)> Snapshot()
    {
        var result = _groups.ToList();
        lock (_lock)
        {
            foreach (var resources in _custom.Values)
            {
                foreach (var resource in resources)
                {
                    var index = result.FindIndex(g => g.Group == resource.Group);
                    if (index < 0)
                    {
                        result.Add((resource.Group, []));
                        index = result.Count - 1;
                    }

                    var versions = result[index].Versions.ToList();
                    var v = versions.FindIndex(x => x.Version == resource.Version);
                    var list = v < 0 ? [] : (JsonArray)versions[v].Resources.DeepClone();
                    list.Add(resource.Definition.DeepClone());
                    if (v < 0)
                    {
                        versions.Add((resource.Version, list));
                    }
                    else
                    {
                        versions[v] = (resource.Version, list);
                    }

                    result[index] = (resource.Group, versions);
                }
            }
        }

        return result;
    }

    // Aggregated entries nest subresources; legacy lists spell them "plural/sub" after their parent.
    private static JsonArray ToLegacyResources(JsonArray aggregated)
    {
        var legacy = new JsonArray();
        foreach (var resource in aggregated.OfType<JsonObject>())
        {
            var plural = resource["resource"]!.GetValue<string>();
            var entry = new JsonObject
            {
                ["name"] = plural,
                ["singularName"] = resource["singularResource"]?.GetValue<string>() ?? "",
                ["namespaced"] = resource["scope"]?.GetValue<string>() == "Namespaced",
                ["kind"] = resource["responseKind"]!["kind"]!.GetValue<string>(),
                ["verbs"] = resource["verbs"]?.DeepClone() ?? new JsonArray(),
            };
            if (resource["shortNames"] is { } shortNames)
            {
                entry["shortNames"] = shortNames.DeepClone();
            }

            legacy.Add(entry);
            foreach (var sub in resource["subresources"]?.AsArray().OfType<JsonObject>() ?? [])
            {
                legacy.Add(new JsonObject
                {
                    ["name"] = $"{plural}/{sub["subresource"]!.GetValue<string>()}",
                    ["singularName"] = "",
                    ["namespaced"] = entry["namespaced"]!.GetValue<bool>(),
                    ["kind"] = sub["responseKind"]!["kind"]!.GetValue<string>(),
                    ["verbs"] = sub["verbs"]?.DeepClone() ?? new JsonArray(),
                });
            }
        }

        return legacy;
    }
}
