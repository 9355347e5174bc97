using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Templates;

public sealed record AddAnnotationRequest(string Key, string Value);

/// <summary>
/// A template version's labels and annotations: a stack must carry all of them before the version renders into it.
/// Readers of the template may list them; only its owner (or the admin) changes them.
/// </summary>
public static class TemplateTagsApi
{
    public static RouteGroupBuilder MapTemplateTagsApi(this RouteGroupBuilder templates)
    {
        templates.MapGet("/{id}/labels", ListLabels);
        templates.MapPost("/{id}/labels", AddLabel);
        templates.MapDelete("/{id}/labels/{label}", RemoveLabel);
        templates.MapGet("/{id}/annotations", ListAnnotations);
        templates.MapPost("/{id}/annotations", AddAnnotation);
        templates.MapDelete("/{id}/annotations/{key}", RemoveAnnotation);
        return templates;
    }

    private static async Task<Ok<List<TemplateLabel>>> ListLabels(Guid id, Caller caller, BrokkrDbContext db)
    {
        await db.ReadableTemplateAsync(id, caller);
        return TypedResults.Ok(await db.TemplateLabels.Where(l => l.TemplateId == id).OrderBy(l => l.Label).ToListAsync());
    }

    /// <summary>The body is a bare JSON string, e.g. <c>"env=production"</c>.</summary>
    private static async Task<Created<TemplateLabel>> AddLabel(Guid id, Caller caller, Json<string> body, BrokkrDbContext db)
    {
        await db.ModifiableTemplateAsync(id, caller);
        var label = new TemplateLabel { Id = Guid.CreateVersion7(), TemplateId = id, Label = Validation.Tag(body.Value, "invalid_label", "label") };
        db.TemplateLabels.Add(label);
        await db.SaveChangesAsync();
        return TypedResults.Created($"/api/v1/templates/{id}/labels", label);
    }

    private static async Task<NoContent> RemoveLabel(Guid id, string label, Caller caller, HttpRequest request, BrokkrDbContext db)
    {
        label = TagPathSegment.Read(request, label);
        await db.ModifiableTemplateAsync(id, caller);
        if (await db.TemplateLabels.Where(l => l.TemplateId == id && l.Label == label).ExecuteDeleteAsync() == 0)
        {
            throw ApiException.NotFound("template_label_not_found", "the template has no such label");
        }
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<TemplateAnnotation>>> ListAnnotations(Guid id, Caller caller, BrokkrDbContext db)
    {
        await db.ReadableTemplateAsync(id, caller);
        return TypedResults.Ok(await db.TemplateAnnotations.Where(a => a.TemplateId == id).OrderBy(a => a.Key).ToListAsync());
    }

    private static async Task<Created<TemplateAnnotation>> AddAnnotation(Guid id, Caller caller, Json<AddAnnotationRequest> body, BrokkrDbContext db)
    {
        await db.ModifiableTemplateAsync(id, caller);
        var annotation = new TemplateAnnotation
        {
            Id = Guid.CreateVersion7(),
            TemplateId = id,
            Key = Validation.Tag(body.Value.Key, "invalid_annotation", "annotation key"),
            Value = Validation.Tag(body.Value.Value, "invalid_annotation", "annotation value"),
        };
        db.TemplateAnnotations.Add(annotation);
        await db.SaveChangesAsync();
        return TypedResults.Created($"/api/v1/templates/{id}/annotations", annotation);
    }

    private static async Task<NoContent> RemoveAnnotation(Guid id, string key, Caller caller, HttpRequest request, BrokkrDbContext db)
    {
        key = TagPathSegment.Read(request, key);
        await db.ModifiableTemplateAsync(id, caller);
        if (await db.TemplateAnnotations.Where(a => a.TemplateId == id && a.Key == key).ExecuteDeleteAsync() == 0)
        {
            throw ApiException.NotFound("template_annotation_not_found", "the template has no such annotation");
        }
        return TypedResults.NoContent();
    }
}
