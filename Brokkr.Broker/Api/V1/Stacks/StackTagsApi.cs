using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Stacks;

public sealed record NewStackAnnotation(Guid StackId, string Key, string Value);

/// <summary>
/// Stack labels and annotations (spec §4.7). They drive label/annotation targeting, so the owner manages them and
/// an agent with an explicit target may read them.
/// </summary>
public static class StackTagsApi
{
    public static RouteGroupBuilder MapStackTagsApi(this RouteGroupBuilder stacks)
    {
        stacks.MapGet("/{id}/labels", ListLabels);
        stacks.MapPost("/{id}/labels", AddLabel);
        stacks.MapDelete("/{id}/labels/{label}", RemoveLabel);
        stacks.MapGet("/{id}/annotations", ListAnnotations);
        stacks.MapPost("/{id}/annotations", AddAnnotation);
        stacks.MapDelete("/{id}/annotations/{key}", RemoveAnnotation);
        return stacks;
    }

    private static async Task<Ok<List<StackLabel>>> ListLabels(Guid id, Caller caller, BrokkrDbContext db)
    {
        await RequireReadableAsync(id, caller, db);
        return TypedResults.Ok(await db.StackLabels.Where(l => l.StackId == id).OrderBy(l => l.Label).ToListAsync());
    }

    /// <summary>The body is a bare JSON string, e.g. <c>"env:prod"</c>.</summary>
    private static async Task<Created<StackLabel>> AddLabel(Guid id, Caller caller, Json<string> body, BrokkrDbContext db)
    {
        await db.OwnedStackAsync(id, caller);
        var label = new StackLabel { Id = Guid.CreateVersion7(), StackId = id, Label = Validation.Tag(body.Value, "invalid_label", "label") };
        db.StackLabels.Add(label);
        await db.SaveChangesAsync();
        return TypedResults.Created($"/api/v1/stacks/{id}/labels", label);
    }

    private static async Task<NoContent> RemoveLabel(Guid id, string label, Caller caller, HttpRequest request, BrokkrDbContext db)
    {
        label = TagPathSegment.Read(request, label);
        await db.OwnedStackAsync(id, caller);
        if (await db.StackLabels.Where(l => l.StackId == id && l.Label == label).ExecuteDeleteAsync() == 0)
        {
            throw ApiException.NotFound("stack_label_not_found", "the stack has no such label");
        }
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<StackAnnotation>>> ListAnnotations(Guid id, Caller caller, BrokkrDbContext db)
    {
        await RequireReadableAsync(id, caller, db);
        return TypedResults.Ok(await db.StackAnnotations.Where(a => a.StackId == id).OrderBy(a => a.Key).ToListAsync());
    }

    private static async Task<Created<StackAnnotation>> AddAnnotation(Guid id, Caller caller, Json<NewStackAnnotation> body, BrokkrDbContext db)
    {
        await db.OwnedStackAsync(id, caller);
        Validation.SameId(body.Value.StackId, id, "stack_id_mismatch", "stack_id");
        var annotation = new StackAnnotation
        {
            Id = Guid.CreateVersion7(),
            StackId = id,
            Key = Validation.Tag(body.Value.Key, "invalid_annotation", "annotation key"),
            Value = Validation.Tag(body.Value.Value, "invalid_annotation", "annotation value"),
        };
        db.StackAnnotations.Add(annotation);
        await db.SaveChangesAsync();
        return TypedResults.Created($"/api/v1/stacks/{id}/annotations", annotation);
    }

    private static async Task<NoContent> RemoveAnnotation(Guid id, string key, Caller caller, HttpRequest request, BrokkrDbContext db)
    {
        key = TagPathSegment.Read(request, key);
        await db.OwnedStackAsync(id, caller);
        if (await db.StackAnnotations.Where(a => a.StackId == id && a.Key == key).ExecuteDeleteAsync() == 0)
        {
            throw ApiException.NotFound("stack_annotation_not_found", "the stack has no such annotation");
        }
        return TypedResults.NoContent();
    }

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
