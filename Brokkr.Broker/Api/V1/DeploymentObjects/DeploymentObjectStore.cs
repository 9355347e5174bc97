using Brokkr.Broker.Data;
using Brokkr.Broker.Metrics;

namespace Brokkr.Broker.Api.V1.DeploymentObjects;

/// <summary>Appends a validated deployment object to a live stack — posted directly or rendered from a template.</summary>
public static class DeploymentObjectStore
{
    /// <param name="alongside">Rows committed with the object (a render's provenance), given the new object.</param>
    public static async Task<DeploymentObject> AppendAsync(BrokkrDbContext db, BusinessMetrics metrics, Guid stackId,
        DeploymentObjectSubmission submission, Action<DeploymentObject>? alongside = null)
    {
        // The stack may have been deleted while the body arrived. Locked, it stays live until the object is
        // committed: a racing soft delete waits, then its trigger retires this object like the others.
        await using var transaction = await db.Database.BeginTransactionAsync();
        if (!await db.LockLiveStackAsync(stackId))
        {
            throw LiveRows.StackNotFound();
        }
        var deploymentObject = new DeploymentObject
        {
            Id = Guid.CreateVersion7(),
            StackId = stackId,
            YamlContent = submission.YamlContent,
            YamlChecksum = submission.YamlChecksum,
            IsDeletionMarker = submission.IsDeletionMarker,
            SubmittedAt = DateTime.UtcNow,
        };
        db.DeploymentObjects.Add(deploymentObject);
        alongside?.Invoke(deploymentObject);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        metrics.DeploymentObjectCreated();
        return deploymentObject;
    }
}
