using System.Globalization;
using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Discovery;

namespace Brokkr.KubernetesStandIn.Storage;

/// <summary>
/// What nothing in the stand-in creates on its own — pods, the events recorded about them, their containers' logs —
/// put in place by tests the way kubelet, controllers and the scheduler would: server-set metadata filled in, stored
/// where the API serves them (pods and core/v1 events through the ordinary list and get paths).
/// </summary>
public sealed class Workloads(ObjectStore store, DiscoveryCatalog catalog, TimeProvider clock)
{
    public PodLogs Logs { get; } = new();

    private ServedResource Pods => catalog.Find("", "v1", "pods")!;
    private ServedResource Events => catalog.Find("", "v1", "events")!;

    /// <summary>Stores a pod (a full object, e.g. from a recorded list); returns it as stored.</summary>
    public JsonObject AddPod(JsonObject pod)
    {
        var metadata = Metadata(pod);
        var ns = metadata["namespace"]?.GetValue<string>() ?? throw new ArgumentException("the pod has no metadata.namespace");
        pod["apiVersion"] = "v1";
        pod["kind"] = "Pod";
        store.Put(Pods, ns, metadata["name"]!.GetValue<string>(), pod);
        return pod;
    }

    /// <summary>Records a core/v1 Event about an object, as a component reporting it would.</summary>
    public JsonObject AddEvent(string ns, string involvedKind, string involvedName, string type, string reason, string message,
        int count = 1, DateTimeOffset? lastSeen = null)
    {
        var last = Timestamp(lastSeen ?? clock.GetUtcNow());
        var name = $"{involvedName}.{Guid.NewGuid():N}"[..Math.Min(involvedName.Length + 17, 253)];
        var involved = new JsonObject
        {
            ["kind"] = involvedKind, ["namespace"] = ns, ["name"] = involvedName, ["uid"] = Guid.NewGuid().ToString(),
            ["apiVersion"] = involvedKind == "Pod" ? "v1" : "apps/v1",
        };
        var evt = new JsonObject
        {
            ["kind"] = "Event", ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["involvedObject"] = involved,
            ["reason"] = reason, ["message"] = message,
            ["source"] = new JsonObject { ["component"] = involvedKind == "Pod" ? "kubelet" : "controller-manager" },
            ["firstTimestamp"] = last, ["lastTimestamp"] = last, ["count"] = count, ["type"] = type,
            ["eventTime"] = null, ["reportingComponent"] = "", ["reportingInstance"] = "",
        };
        Metadata(evt);
        store.Put(Events, ns, name, evt);
        return evt;
    }

    public void SetLog(string ns, string pod, string container, string text) => Logs.Set(ns, pod, container, text);

    /// <summary>The server-set metadata a stored object has: uid, resourceVersion, creationTimestamp.</summary>
    private JsonObject Metadata(JsonObject obj)
    {
        var metadata = obj["metadata"] as JsonObject ?? throw new ArgumentException("the object has no metadata");
        if (metadata["name"] is null)
        {
            throw new ArgumentException("the object has no metadata.name");
        }
        metadata["uid"] ??= Guid.NewGuid().ToString();
        metadata["resourceVersion"] = store.NextResourceVersion();
        metadata["creationTimestamp"] ??= Timestamp(clock.GetUtcNow());
        return metadata;
    }

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
