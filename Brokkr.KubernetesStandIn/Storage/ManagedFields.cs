using System.Text.Json.Nodes;

namespace Brokkr.KubernetesStandIn.Storage;

/// <summary>
/// managedFields bookkeeping: the FieldsV1 set of an applied configuration, one entry per (manager, operation),
/// and the 409 conflict rule of kubernetes-protocol.md §2.5 for fields another Apply manager owns.
/// </summary>
public static class ManagedFields
{
    /// <summary>FieldsV1 of a configuration: "f:name" per map member, leaves as {}; lists are owned whole.</summary>
    public static JsonObject FieldSet(JsonObject config)
    {
        var set = new JsonObject();
        foreach (var (key, value) in config)
        {
            if (key is "apiVersion" or "kind" || (key == "metadata" && value is null))
            {
                continue;
            }

            set[$"f:{key}"] = value is JsonObject child ? MetadataAware(key, child) : new JsonObject();
        }

        return set;
    }

    private static JsonObject MetadataAware(string key, JsonObject child)
    {
        if (key != "metadata")
        {
            var inner = FieldSet(child);
            inner["."] = new JsonObject();
            return inner;
        }

        // Server-owned identity fields are never part of a manager's set.
        var meta = new JsonObject();
        foreach (var (k, v) in child)
        {
            if (k is "labels" or "annotations" && v is JsonObject map)
            {
                meta[$"f:{k}"] = new JsonObject(map.Select(p => KeyValuePair.Create<string, JsonNode?>($"f:{p.Key}", new JsonObject())));
            }
        }

        return meta;
    }

    /// <summary>Leaf paths (".spec.replicas") of a field set.</summary>
    public static IEnumerable<FieldPath> Paths(JsonObject set) => Paths(set, FieldPath.Root);

    private static IEnumerable<FieldPath> Paths(JsonObject set, FieldPath prefix)
    {
        foreach (var (key, value) in set)
        {
            if (key == ".")
            {
                continue;
            }

            var path = prefix.Child(key[2..]);
            if (value is JsonObject child && child.Any(p => p.Key != "."))
            {
                foreach (var sub in Paths(child, path))
                {
                    yield return sub;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    /// <summary>Replaces (or adds) this manager's Apply entry.</summary>
    public static JsonArray WithApplyEntry(JsonArray? existing, string manager, string apiVersion, JsonObject fields, string time)
    {
        var entries = new JsonArray();
        foreach (var entry in existing ?? [])
        {
            if (!(entry?["manager"]?.GetValue<string>() == manager && entry["operation"]?.GetValue<string>() == "Apply"))
            {
                entries.Add(entry!.DeepClone());
            }
        }

        entries.Add(new JsonObject
        {
            ["manager"] = manager, ["operation"] = "Apply", ["apiVersion"] = apiVersion, ["time"] = time,
            ["fieldsType"] = "FieldsV1", ["fieldsV1"] = fields,
        });
        return entries;
    }

    /// <summary>Removes from other managers' entries the fields a forced apply took over.</summary>
    public static JsonArray TransferOwnership(JsonArray entries, string manager, IReadOnlySet<FieldPath> taken)
    {
        foreach (var entry in entries.OfType<JsonObject>())
        {
            if (entry["manager"]?.GetValue<string>() != manager && entry["fieldsV1"] is JsonObject set)
            {
                RemovePaths(set, FieldPath.Root, taken);
            }
        }

        return entries;
    }

    private static void RemovePaths(JsonObject set, FieldPath prefix, IReadOnlySet<FieldPath> taken)
    {
        foreach (var key in set.Select(p => p.Key).ToList())
        {
            if (key == ".")
            {
                continue;
            }

            var path = prefix.Child(key[2..]);
            if (taken.Contains(path))
            {
                set.Remove(key);
            }
            else if (set[key] is JsonObject child)
            {
                RemovePaths(child, path, taken);
            }
        }
    }

    /// <summary>The value at a leaf path of an object, for conflict detection.</summary>
    public static JsonNode? ValueAt(JsonObject obj, FieldPath path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Segments)
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node;
    }
}
