using System.Globalization;
using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Api;
using Brokkr.Agent.Kubernetes;
using Brokkr.KubernetesStandIn.Discovery;

namespace Brokkr.KubernetesStandIn.Storage;

/// <summary>
/// PATCH application/apply-patch+yaml: create (201) or update (200) with resourceVersion/generation bumps and
/// managedFields, a no-op that keeps everything, dryRun=All that persists nothing, and the protocol's 400/404/409/422s.
/// The stored object is the applied configuration plus server fields (the stand-in does not merge other managers'
/// fields, which the agent never relies on).
/// </summary>
public sealed class ServerSideApply(ObjectStore store, ClusterLifecycle crds, TimeProvider clock)
{
    private static readonly string[] ServerMetadata = ["uid", "resourceVersion", "generation", "creationTimestamp",
        "managedFields", "deletionTimestamp", "finalizers"];

    public StandInResponse Apply(ServedResource resource, string? urlNamespace, string urlName, string body,
        string? fieldManager, bool force, bool dryRun)
    {
        if (string.IsNullOrEmpty(fieldManager))
        {
            return StatusBodies.Invalid("PatchOptions", "meta.k8s.io", "",
                [("FieldValueRequired", "Required value: is required for apply patch", "fieldManager")]);
        }

        JsonObject config;
        try
        {
            config = YamlJson.ParseStream(body).FirstOrDefault() as JsonObject
                ?? throw new FormatException("the apply patch is not an object");
        }
        catch (Exception e) when (e is FormatException or YamlDotNet.Core.YamlException)
        {
            return StatusBodies.BadRequest($"error decoding YAML: {e.Message}");
        }

        if (Check(resource, urlNamespace, urlName, config) is { } rejected)
        {
            return rejected;
        }

        var metadata = (JsonObject)config["metadata"]!;
        if (resource.Namespaced)
        {
            metadata["namespace"] = urlNamespace;
            if (crds.NamespaceState(urlNamespace!) is not { } phase)
            {
                return StatusBodies.NamespaceNotFound(urlNamespace!);
            }

            if (phase == "Terminating" && store.Get(resource, urlNamespace, urlName) is null)
            {
                return NamespaceTerminating(resource, urlName, urlNamespace!);
            }
        }
        else
        {
            metadata.Remove("namespace");
        }

        var invalid = ObjectValidation.Validate(config);
        if (invalid.Count > 0)
        {
            return StatusBodies.Invalid(resource.Kind, resource.Group, urlName, invalid);
        }

        var existing = store.Get(resource, urlNamespace, urlName);
        return existing is null
            ? Create(resource, urlNamespace, urlName, config, fieldManager, dryRun)
            : Update(resource, urlNamespace, urlName, config, existing, fieldManager, force, dryRun);
    }

    private static StandInResponse? Check(ServedResource resource, string? urlNamespace, string urlName, JsonObject config)
    {
        var apiVersion = config["apiVersion"]?.GetValue<string>();
        if (apiVersion != resource.ApiVersion)
        {
            return StatusBodies.BadRequest(
                $"Incorrect version specified in apply patch. Specified patch version: {apiVersion}, expected: {resource.ApiVersion}");
        }

        if (config["kind"]?.GetValue<string>() != resource.Kind)
        {
            return StatusBodies.BadRequest(
                $"Incorrect kind specified in apply patch. Specified patch kind: {config["kind"]}, expected: {resource.Kind}");
        }

        if (config["metadata"] is not JsonObject metadata)
        {
            return StatusBodies.BadRequest("metadata: Required value");
        }

        var name = metadata["name"]?.GetValue<string>();
        if (name != urlName)
        {
            return StatusBodies.BadRequest($"the name of the object ({name}) does not match the name on the URL ({urlName})");
        }

        if (resource.Namespaced && metadata["namespace"]?.GetValue<string>() is { } ns && ns != urlNamespace)
        {
            return StatusBodies.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        return metadata.ContainsKey("managedFields") ? StatusBodies.BadRequest("metadata.managedFields must be nil") : null;
    }

    private StandInResponse Create(ServedResource resource, string? ns, string name, JsonObject config, string manager,
        bool dryRun)
    {
        var now = Now();
        var obj = Normalize(config, resource);
        var metadata = (JsonObject)obj["metadata"]!;
        if (metadata.ContainsKey("resourceVersion"))
        {
            return StatusBodies.NotFound(resource, name);
        }

        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["generation"] = 1L;
        metadata["creationTimestamp"] = now;
        metadata["managedFields"] = ManagedFields.WithApplyEntry(null, manager, resource.ApiVersion,
            ManagedFields.FieldSet(config), now);
        crds.OnCreate(resource, obj);
        if (!dryRun)
        {
            metadata["resourceVersion"] = store.NextResourceVersion();
            store.Put(resource, ns, name, obj);
            crds.AfterCreate(resource, obj);
        }

        return new StandInResponse(201, obj);
    }

    private StandInResponse Update(ServedResource resource, string? ns, string name, JsonObject config, JsonObject existing,
        string manager, bool force, bool dryRun)
    {
        var existingMeta = (JsonObject)existing["metadata"]!;
        if (config["metadata"]?["resourceVersion"]?.GetValue<string>() is { } precondition
            && precondition != existingMeta["resourceVersion"]?.GetValue<string>())
        {
            return StatusBodies.Failure(409, "Conflict",
                $"Operation cannot be fulfilled on {resource.QualifiedPlural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                new JsonObject { ["name"] = name, ["group"] = resource.Group, ["kind"] = resource.Plural });
        }

        var fields = ManagedFields.FieldSet(config);
        var taken = ManagedFields.Paths(fields).ToHashSet();
        var entries = existingMeta["managedFields"] as JsonArray;
        var conflicts = Conflicts(entries, manager, taken, config, existing);
        if (conflicts.Count > 0 && !force)
        {
            return ApplyConflict(conflicts);
        }

        var obj = Normalize(config, resource);
        var metadata = (JsonObject)obj["metadata"]!;
        foreach (var key in ServerMetadata)
        {
            metadata[key] = existingMeta[key]?.DeepClone();
            if (metadata[key] is null)
            {
                metadata.Remove(key);
            }
        }

        if (existing["status"] is { } status)
        {
            obj["status"] = status.DeepClone();
        }

        crds.OnUpdate(resource, obj, existing);

        var proposedEntries = ManagedFields.WithApplyEntry(
            ManagedFields.TransferOwnership((JsonArray)(entries?.DeepClone() ?? new JsonArray()), manager, taken),
            manager, resource.ApiVersion, fields, Now());
        if (SameIgnoringTimes(obj, existing, proposedEntries, entries))
        {
            return new StandInResponse(200, existing);
        }

        metadata["managedFields"] = proposedEntries;
        if (!JsonNode.DeepEquals(Spec(obj), Spec(existing)))
        {
            metadata["generation"] = (existingMeta["generation"]?.GetValue<long>() ?? 0) + 1;
        }

        if (!dryRun)
        {
            metadata["resourceVersion"] = store.NextResourceVersion();
            store.Put(resource, ns, name, obj);
            crds.AfterUpdate(resource, obj);
        }

        return new StandInResponse(200, obj);
    }

    private static List<(string Manager, FieldPath Path)> Conflicts(JsonArray? entries, string manager,
        IReadOnlySet<FieldPath> taken, JsonObject config, JsonObject existing)
    {
        var conflicts = new List<(string, FieldPath)>();
        foreach (var entry in entries?.OfType<JsonObject>() ?? [])
        {
            var owner = entry["manager"]?.GetValue<string>() ?? "";
            if (owner == manager || entry["fieldsV1"] is not JsonObject owned)
            {
                continue;
            }

            foreach (var path in ManagedFields.Paths(owned).Where(p => taken.Contains(p) && p.Segments[0] != "metadata"))
            {
                if (!JsonNode.DeepEquals(ManagedFields.ValueAt(config, path), ManagedFields.ValueAt(existing, path)))
                {
                    var described = entry["operation"]?.GetValue<string>() == "Apply"
                        ? $"\"{owner}\"" : $"\"{owner}\" using {entry["apiVersion"]}";
                    conflicts.Add((described, path));
                }
            }
        }

        return conflicts;
    }

    // kubernetes-protocol.md §2.5: details holds only causes; managers sorted, one cause per field.
    private static StandInResponse ApplyConflict(List<(string Manager, FieldPath Path)> conflicts)
    {
        var byManager = conflicts.GroupBy(c => c.Manager).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var message = conflicts.Count == 1
            ? $"Apply failed with 1 conflict: conflict with {conflicts[0].Manager}: {conflicts[0].Path}"
            : $"Apply failed with {conflicts.Count} conflicts: " + string.Join("\n",
                byManager.Select(g => $"conflicts with {g.Key}:\n" + string.Join("\n", g.Select(c => $"- {c.Path}"))));
        var causes = new JsonArray(byManager.SelectMany(g => g).Select(c => (JsonNode)new JsonObject
        {
            ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with {c.Manager}", ["field"] = c.Path.ToString(),
        }).ToArray());
        return StatusBodies.Failure(409, "Conflict", message, new JsonObject { ["causes"] = causes });
    }

    private static StandInResponse NamespaceTerminating(ServedResource resource, string name, string ns)
    {
        var response = StatusBodies.Failure(403, "Forbidden",
            $"{resource.QualifiedPlural} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
            new JsonObject
            {
                ["name"] = name, ["group"] = resource.Group, ["kind"] = resource.Plural,
                ["causes"] = new JsonArray(new JsonObject
                {
                    ["reason"] = "NamespaceTerminating",
                    ["message"] = $"namespace {ns} is being terminated",
                    ["field"] = "metadata.namespace",
                }),
            });
        return response;
    }

    // Server field order: kind, apiVersion, metadata, then the rest, as a live server answers.
    private static JsonObject Normalize(JsonObject config, ServedResource resource)
    {
        var obj = new JsonObject { ["kind"] = resource.Kind, ["apiVersion"] = resource.ApiVersion };
        foreach (var (key, value) in config)
        {
            if (key is not ("kind" or "apiVersion" or "status"))
            {
                obj[key] = value?.DeepClone();
            }
        }

        if (obj["metadata"] is JsonObject metadata)
        {
            foreach (var key in ServerMetadata)
            {
                metadata.Remove(key);
            }
        }

        return obj;
    }

    private static bool SameIgnoringTimes(JsonObject proposed, JsonObject existing, JsonArray proposedEntries, JsonArray? entries)
    {
        var a = (JsonObject)proposed.DeepClone();
        ((JsonObject)a["metadata"]!)["managedFields"] = WithoutTimes(proposedEntries);
        var b = (JsonObject)existing.DeepClone();
        ((JsonObject)b["metadata"]!)["managedFields"] = WithoutTimes(entries);
        return JsonNode.DeepEquals(a, b);
    }

    private static JsonArray WithoutTimes(JsonArray? entries)
    {
        var copy = (JsonArray)(entries?.DeepClone() ?? new JsonArray());
        foreach (var entry in copy.OfType<JsonObject>())
        {
            entry.Remove("time");
        }

        return copy;
    }

    // generation follows everything but metadata and status.
    private static JsonObject Spec(JsonObject obj) =>
        new(obj.Where(p => p.Key is not ("metadata" or "status" or "kind" or "apiVersion"))
            .Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));

    private string Now() => clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
