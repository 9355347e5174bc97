using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Discovery;

namespace Brokkr.KubernetesStandIn.Storage;

/// <summary>
/// The stand-in's etcd: objects keyed by (group, plural, namespace, name), all versions of a type sharing storage,
/// and one server-wide resourceVersion counter that every accepted write bumps.
/// </summary>
public sealed class ObjectStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Group, string Plural, string Namespace, string Name), JsonObject> _objects = new();
    private long _resourceVersion = 1000;

    public string CurrentResourceVersion
    {
        get
        {
            lock (_lock)
            {
                return _resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    public string NextResourceVersion()
    {
        lock (_lock)
        {
            return (++_resourceVersion).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public JsonObject? Get(ServedResource resource, string? ns, string name)
    {
        lock (_lock)
        {
            return _objects.TryGetValue(Key(resource, ns, name), out var obj) ? (JsonObject)obj.DeepClone() : null;
        }
    }

    public void Put(ServedResource resource, string? ns, string name, JsonObject obj)
    {
        lock (_lock)
        {
            _objects[Key(resource, ns, name)] = (JsonObject)obj.DeepClone();
        }
    }

    public bool Remove(ServedResource resource, string? ns, string name)
    {
        lock (_lock)
        {
            return _objects.Remove(Key(resource, ns, name));
        }
    }

    /// <summary>Objects of a type, in one namespace or (null) everywhere, ordered by namespace then name.</summary>
    public IReadOnlyList<JsonObject> List(ServedResource resource, string? ns)
    {
        lock (_lock)
        {
            return _objects
                .Where(e => e.Key.Group == resource.Group && e.Key.Plural == resource.Plural
                            && (ns is null || e.Key.Namespace == ns))
                .OrderBy(e => e.Key.Namespace, StringComparer.Ordinal).ThenBy(e => e.Key.Name, StringComparer.Ordinal)
                .Select(e => (JsonObject)e.Value.DeepClone()).ToList();
        }
    }

    /// <summary>Every stored object with its type; for tests and the namespace/CRD cleanup.</summary>
    public IReadOnlyList<(string Group, string Plural, string Namespace, JsonObject Object)> Snapshot()
    {
        lock (_lock)
        {
            return _objects.Select(e => (e.Key.Group, e.Key.Plural, e.Key.Namespace, (JsonObject)e.Value.DeepClone())).ToList();
        }
    }

    public int RemoveWhere(Func<string, string, string, bool> predicate)
    {
        lock (_lock)
        {
            var keys = _objects.Keys.Where(k => predicate(k.Group, k.Plural, k.Namespace)).ToList();
            keys.ForEach(k => _objects.Remove(k));
            return keys.Count;
        }
    }

    private static (string, string, string, string) Key(ServedResource resource, string? ns, string name) =>
        (resource.Group, resource.Plural, resource.Namespaced ? ns ?? "" : "", name);
}
