using System.Text.Json.Nodes;

namespace Brokkr.Agent.Reconcile;

/// <summary>
/// What the agent stamps on every object it applies (brokkr-core.md §7.5) plus the stack label that lets pruning
/// list a stack's objects with a label selector instead of reading every object in the cluster.
/// </summary>
public static class BrokkrMetadata
{
    public const string StackAnnotation = "k8s.brokkr.io/stack";
    public const string ChecksumAnnotation = "k8s.brokkr.io/deployment-checksum";
    public const string DeploymentObjectAnnotation = "brokkr.io/deployment-object-id";
    public const string LastAppliedAnnotation = "k8s.brokkr.io/last-config-applied";
    public const string OwnerAnnotation = "brokkr.io/owner-id";

    /// <summary>Label carrying the stack id (a UUID is a valid label value).</summary>
    public const string StackLabel = "k8s.brokkr.io/stack";

    public static string StackSelector(Guid stackId) => $"{StackLabel}={stackId}";

    /// <summary>Merges the Brokkr annotations and stack label over the object's own (Brokkr keys win).</summary>
    public static void Stamp(JsonObject obj, StackStamp stamp)
    {
        var metadata = obj["metadata"] as JsonObject ?? new JsonObject();
        obj["metadata"] = metadata;
        var annotations = metadata["annotations"] as JsonObject ?? new JsonObject();
        metadata["annotations"] = annotations;
        annotations[StackAnnotation] = stamp.StackId.ToString();
        annotations[ChecksumAnnotation] = stamp.Checksum;
        annotations[DeploymentObjectAnnotation] = stamp.DeploymentObjectId.ToString();
        annotations[LastAppliedAnnotation] = stamp.Checksum;
        annotations[OwnerAnnotation] = stamp.AgentId.ToString();
        var labels = metadata["labels"] as JsonObject ?? new JsonObject();
        metadata["labels"] = labels;
        labels[StackLabel] = stamp.StackId.ToString();
    }

    public static string? Annotation(JsonObject obj, string key) =>
        obj["metadata"]?["annotations"]?[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static bool HasOwnerReferences(JsonObject obj) => obj["metadata"]?["ownerReferences"] is JsonArray { Count: > 0 };

    public static string Describe(JsonObject obj)
    {
        var ns = obj["metadata"]?["namespace"]?.GetValue<string>();
        var name = obj["metadata"]?["name"]?.GetValue<string>();
        return $"{obj["kind"]?.GetValue<string>()} {(ns is null ? "" : ns + "/")}{name}";
    }
}

/// <summary>Which stack, revision and agent an applied object belongs to.</summary>
public sealed record StackStamp(Guid StackId, string Checksum, Guid DeploymentObjectId, Guid AgentId);
