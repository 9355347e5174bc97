using System.Text;
using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Api;
using Brokkr.KubernetesStandIn.Discovery;

namespace Brokkr.KubernetesStandIn.Storage;

/// <summary>GET, LIST (label selectors, limit/continue) and DELETE against the store, answered as the API server does.</summary>
public sealed class ResourceOperations(ObjectStore store, ClusterLifecycle lifecycle)
{
    private static readonly string[] Undeletable = ["default", "kube-system", "kube-public"];

    public StandInResponse Get(ServedResource resource, string? ns, string name) =>
        store.Get(resource, ns, name) is { } obj ? new StandInResponse(200, obj) : StatusBodies.NotFound(resource, name);

    public StandInResponse List(ServedResource resource, string? ns, string? labelSelector, int? limit, string? continueToken)
    {
        LabelSelector selector;
        try
        {
            selector = LabelSelector.Parse(labelSelector);
        }
        catch (FormatException e)
        {
            return StatusBodies.BadRequest(e.Message);
        }

        var offset = 0;
        if (!string.IsNullOrEmpty(continueToken) && !TryDecodeContinue(continueToken, out offset))
        {
            return StatusBodies.BadRequest(
                "invalid continue token: continue key is not valid: invalid character 'i' looking for beginning of value");
        }

        var matching = store.List(resource, ns).Where(selector.Matches).ToList();
        var page = matching.Skip(offset).Take(limit is > 0 ? limit.Value : int.MaxValue).ToList();
        var more = offset + page.Count < matching.Count;
        var metadata = new JsonObject { ["resourceVersion"] = store.CurrentResourceVersion };
        if (more)
        {
            metadata["continue"] = EncodeContinue(offset + page.Count);
            metadata["remainingItemCount"] = matching.Count - offset - page.Count;
        }
        else if (resource.IsCustom)
        {
            metadata["continue"] = "";
        }

        var items = new JsonArray();
        foreach (var item in page)
        {
            // Built-in list items carry no kind/apiVersion (replay-v1.36-deployment-list.json); custom ones do.
            if (!resource.IsCustom)
            {
                item.Remove("kind");
                item.Remove("apiVersion");
            }

            items.Add(item);
        }

        return new StandInResponse(200, new JsonObject
        {
            ["kind"] = resource.Kind + "List", ["apiVersion"] = resource.ApiVersion, ["metadata"] = metadata, ["items"] = items,
        });
    }

    public StandInResponse Delete(ServedResource resource, string? ns, string name, string? propagationPolicy)
    {
        if (store.Get(resource, ns, name) is not { } obj)
        {
            return StatusBodies.NotFound(resource, name);
        }

        if (resource.Group.Length == 0 && resource.Plural == "namespaces" && Undeletable.Contains(name))
        {
            return StatusBodies.Failure(403, "Forbidden", $"namespaces \"{name}\" is forbidden: this namespace may not be deleted",
                new JsonObject { ["name"] = name, ["kind"] = "namespaces" });
        }

        if (lifecycle.BeginTermination(resource, obj) is { } terminating)
        {
            return new StandInResponse(200, terminating);
        }

        store.Remove(resource, ns, name);
        var uid = obj["metadata"]?["uid"]?.GetValue<string>();
        if (resource.Group == "batch" && resource.Plural == "jobs" && propagationPolicy is null)
        {
            // batch/v1 Job defaults to orphaning its pods: the answer is the Job with the orphan finalizer.
            obj["metadata"]!["deletionTimestamp"] = obj["metadata"]!["creationTimestamp"]?.DeepClone();
            obj["metadata"]!["finalizers"] = new JsonArray("orphan");
            return new StandInResponse(200, obj);
        }

        return StatusBodies.DeleteSuccess(resource, name, uid);
    }

    private static string EncodeContinue(int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"offset\":{offset}}}"));

    private static bool TryDecodeContinue(string token, out int offset)
    {
        offset = 0;
        try
        {
            var node = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)));
            offset = node?["offset"]?.GetValue<int>() ?? -1;
            return offset >= 0;
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return false;
        }
    }
}
