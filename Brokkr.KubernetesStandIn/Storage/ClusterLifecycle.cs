using System.Globalization;
using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Discovery;

namespace Brokkr.KubernetesStandIn.Storage;

/// <summary>
/// What controllers do in a real cluster, reduced to what the agent observes: namespaces get their finalizer and
/// phase and, once deleted, are emptied and removed after <see cref="NamespaceFinalizeDelay"/>; CRDs become
/// Established (and discoverable) after <see cref="CrdEstablishDelay"/>, and take their objects and discovery
/// entry with them when deleted.
/// </summary>
public sealed class ClusterLifecycle(ObjectStore store, DiscoveryCatalog catalog, TimeProvider clock)
{
    public TimeSpan CrdEstablishDelay { get; set; } = TimeSpan.Zero;
    public TimeSpan NamespaceFinalizeDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The Job controller's part: Job status and terminal conditions.</summary>
    public JobController Jobs { get; } = new(store, catalog, clock);

    /// <summary>Shipwright's part: BuildRuns reaching their terminal Succeeded condition.</summary>
    public BuildRunController BuildRuns { get; } = new(store, catalog, clock);

    /// <summary>Installs CRDs as if applied before the test began: stored, Established and discoverable at once.</summary>
    public void InstallCustomResourceDefinitions(IEnumerable<JsonObject> crds)
    {
        foreach (var crd in crds)
        {
            var metadata = (JsonObject)crd["metadata"]!;
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["generation"] = 1L;
            metadata["creationTimestamp"] = Now();
            metadata["resourceVersion"] = store.NextResourceVersion();
            OnCreate(Crds, crd);
            var name = metadata["name"]!.GetValue<string>();
            store.Put(Crds, null, name, crd);
            Establish(name);
        }
    }

    private ServedResource Namespaces => catalog.Find("", "v1", "namespaces")!;
    private ServedResource Crds => catalog.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;

    /// <summary>The namespace's phase ("Active"/"Terminating"), or null when it does not exist.</summary>
    public string? NamespaceState(string ns) =>
        store.Get(Namespaces, null, ns) is { } obj ? obj["status"]?["phase"]?.GetValue<string>() ?? "Active" : null;

    public void SeedNamespaces(params string[] names)
    {
        foreach (var name in names)
        {
            var obj = new JsonObject
            {
                ["kind"] = "Namespace", ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name, ["uid"] = Guid.NewGuid().ToString(), ["resourceVersion"] = store.NextResourceVersion(),
                    ["creationTimestamp"] = Now(), ["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = name },
                },
            };
            OnCreate(Namespaces, obj);
            store.Put(Namespaces, null, name, obj);
        }
    }

    /// <summary>Server-set content of a new object (before it is stored or answered).</summary>
    public void OnCreate(ServedResource resource, JsonObject obj)
    {
        if (IsNamespaces(resource))
        {
            obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
            obj["status"] = new JsonObject { ["phase"] = "Active" };
        }
        else if (IsCrds(resource))
        {
            // A fresh CRD is not yet usable (replay-v1.36-custom-resource-definition.json [0]).
            obj["status"] = new JsonObject
            {
                ["conditions"] = null,
                ["acceptedNames"] = new JsonObject { ["plural"] = "", ["kind"] = "" },
                ["storedVersions"] = new JsonArray(StorageVersion(obj)),
            };
        }
        else if (JobController.IsJobs(resource))
        {
            JobController.OnCreate(obj);
        }
        else if (BuildRunController.IsBuildRuns(resource))
        {
            BuildRuns.OnCreate(obj);
        }
    }

    /// <summary>Defaulted content an apply does not mention survives it (a namespace keeps its finalizer).</summary>
    public void OnUpdate(ServedResource resource, JsonObject obj, JsonObject existing)
    {
        if (IsNamespaces(resource) && obj["spec"] is null && existing["spec"] is { } spec)
        {
            obj["spec"] = spec.DeepClone();
        }
    }

    public void AfterCreate(ServedResource resource, JsonObject obj)
    {
        if (JobController.IsJobs(resource))
        {
            Jobs.AfterCreate(obj);
        }
        if (BuildRunController.IsBuildRuns(resource))
        {
            BuildRuns.AfterCreate(obj);
        }
        if (IsCrds(resource))
        {
            var name = obj["metadata"]!["name"]!.GetValue<string>();
            if (CrdEstablishDelay == TimeSpan.Zero)
            {
                Establish(name);
            }
            else
            {
                _ = Task.Delay(CrdEstablishDelay).ContinueWith(_ => Establish(name), TaskScheduler.Default);
            }
        }
    }

    public void AfterUpdate(ServedResource resource, JsonObject obj)
    {
        if (IsCrds(resource) && IsEstablished(obj))
        {
            catalog.RegisterCustomResource(obj);
        }
    }

    /// <summary>Deletion of namespaces and CRDs, which answer with the object while it terminates; null for other types.</summary>
    public JsonObject? BeginTermination(ServedResource resource, JsonObject obj)
    {
        var name = obj["metadata"]!["name"]!.GetValue<string>();
        if (IsNamespaces(resource))
        {
            obj["metadata"]!["deletionTimestamp"] = Now();
            obj["status"] = new JsonObject { ["phase"] = "Terminating" };
            obj["metadata"]!["resourceVersion"] = store.NextResourceVersion();
            store.Put(resource, null, name, obj);
            _ = Task.Delay(NamespaceFinalizeDelay).ContinueWith(_ =>
            {
                store.RemoveWhere((_, _, ns) => ns == name);
                store.Remove(resource, null, name);
            }, TaskScheduler.Default);
            return obj;
        }

        if (IsCrds(resource))
        {
            obj["metadata"]!["deletionTimestamp"] = Now();
            obj["metadata"]!["finalizers"] = new JsonArray("customresourcecleanup.apiextensions.k8s.io");
            var conditions = obj["status"]?["conditions"] as JsonArray ?? [];
            conditions.Add(new JsonObject
            {
                ["type"] = "Terminating", ["status"] = "True", ["lastTransitionTime"] = Now(),
                ["reason"] = "InstanceDeletionInProgress", ["message"] = "CustomResource deletion is in progress",
            });
            ((JsonObject)obj["status"]!)["conditions"] = conditions;
            foreach (var served in catalog.UnregisterCustomResource(name))
            {
                store.RemoveWhere((g, p, _) => g == served.Group && p == served.Plural);
            }

            store.Remove(resource, null, name);
            return obj;
        }

        return null;
    }

    private void Establish(string name)
    {
        if (store.Get(Crds, null, name) is not { } crd)
        {
            return;
        }

        var names = crd["spec"]!["names"]!.DeepClone();
        crd["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(
                Condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                Condition("Established", "InitialNamesAccepted", "the initial names have been accepted")),
            ["acceptedNames"] = names,
            ["storedVersions"] = new JsonArray(StorageVersion(crd)),
        };
        crd["metadata"]!["resourceVersion"] = store.NextResourceVersion();
        store.Put(Crds, null, name, crd);
        catalog.RegisterCustomResource(crd);
    }

    private JsonObject Condition(string type, string reason, string message) => new()
    {
        ["type"] = type, ["status"] = "True", ["lastTransitionTime"] = Now(), ["reason"] = reason, ["message"] = message,
    };

    private static bool IsEstablished(JsonObject crd) => crd["status"]?["conditions"] is JsonArray conditions
        && conditions.Any(c => c?["type"]?.GetValue<string>() == "Established" && c["status"]?.GetValue<string>() == "True");

    private static string StorageVersion(JsonObject crd) =>
        crd["spec"]?["versions"]?.AsArray().FirstOrDefault(v => v?["storage"]?.GetValue<bool>() == true)?["name"]?.GetValue<string>()
        ?? crd["spec"]?["versions"]?[0]?["name"]?.GetValue<string>() ?? "v1";

    private static bool IsNamespaces(ServedResource r) => r.Group.Length == 0 && r.Plural == "namespaces";
    private static bool IsCrds(ServedResource r) => r.Group == "apiextensions.k8s.io" && r.Plural == "customresourcedefinitions";

    private string Now() => clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
