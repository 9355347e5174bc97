using System.Text.Json.Nodes;

namespace Brokkr.Agent.Reconcile;

/// <summary>
/// Whether an object found in the cluster is this agent's to change or delete ("objects owned by anything else are
/// never touched"). Applying over an object force-takes its fields and stamps it as ours, after which pruning could
/// delete it, so an object someone else created (kubectl, Helm, another controller or agent) is refused, not adopted.
/// </summary>
public static class ObjectOwnership
{
    /// <summary>Null when the object is this agent's; otherwise why it is not, for the FAILURE event.</summary>
    public static string? ForeignReason(JsonObject obj, Guid agentId)
    {
        if (BrokkrMetadata.HasOwnerReferences(obj))
        {
            return "is owned by another object (ownerReferences)";
        }

        var owner = BrokkrMetadata.Annotation(obj, BrokkrMetadata.OwnerAnnotation);
        if (owner is null)
        {
            return $"exists and is not managed by Brokkr (no {BrokkrMetadata.OwnerAnnotation} annotation)";
        }

        if (owner != agentId.ToString())
        {
            return $"is managed by another Brokkr agent ({owner})";
        }

        // Our annotations without our field manager: a copy of one of our manifests (kubectl get -o yaml | kubectl
        // apply) that someone else created. Objects without managedFields (an old server) are judged by the stamp.
        return obj["metadata"]?["managedFields"] is JsonArray { Count: > 0 } entries
               && !entries.Any(e => e?["manager"]?.GetValue<string>() == ReconcileOptions.FieldManager)
            ? $"exists and is not managed by Brokkr (it carries this agent's annotations, but {ReconcileOptions.FieldManager} never wrote it)"
            : null;
    }

    public static bool IsOurs(JsonObject obj, Guid agentId) => ForeignReason(obj, agentId) is null;
}
