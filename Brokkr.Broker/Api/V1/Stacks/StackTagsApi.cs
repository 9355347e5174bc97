using Brokkr.Broker.Api.V1.Tags;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Stacks;

public sealed record NewStackAnnotation(Guid StackId, string Key, string Value);

/// <summary>
/// Stack labels and annotations (spec §4.7). They drive label/annotation targeting, so the owner manages them and
/// an agent with an explicit target may read them.
/// </summary>
public static class StackTagsApi
{
    private static readonly TagOwner<StackLabel, StackAnnotation> Owner = new()
    {
        Kind = "stack",
        Labels = db => db.StackLabels,
        LabelOwner = l => l.StackId,
        LabelText = l => l.Label,
        NewLabel = (id, label) => new StackLabel { Id = Guid.CreateVersion7(), StackId = id, Label = label },
        Annotations = db => db.StackAnnotations,
        AnnotationOwner = a => a.StackId,
        AnnotationKey = a => a.Key,
        NewAnnotation = (id, key, value) => new StackAnnotation { Id = Guid.CreateVersion7(), StackId = id, Key = key, Value = value },
        RequireReader = RequireReadableAsync,
        RequireManager = (id, caller, db) => db.OwnedStackAsync(id, caller),
    };

    /// <summary>A label is a bare JSON string, e.g. <c>"env:prod"</c>; an annotation names its stack.</summary>
    public static RouteGroupBuilder MapStackTagsApi(this RouteGroupBuilder stacks) =>
        stacks.MapTagRoutes<StackLabel, StackAnnotation, string, NewStackAnnotation>(Owner, (label, _) => label, (body, id) =>
        {
            Validation.SameId(body.StackId, id, "stack_id_mismatch", "stack_id");
            return (body.Key, body.Value);
        });

    /// <summary>Admin (unknown id reads as empty), the owner, or an agent with an explicit target on the stack.</summary>
    private static async Task RequireReadableAsync(Guid id, Caller caller, BrokkrDbContext db)
    {
        if (caller.IsAdmin)
        {
            return;
        }
        var stack = await db.StackAsync(id);
        var allowed = caller.IsGeneratorSelf(stack.GeneratorId) ||
                      (caller.IsAgent && await db.AgentTargets.AnyAsync(t => t.AgentId == caller.AgentId && t.StackId == id));
        if (!allowed)
        {
            throw ApiException.Forbidden("stack_not_accessible", "the caller may not read this stack");
        }
    }
}
