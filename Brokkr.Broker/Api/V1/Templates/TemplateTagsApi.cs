using Brokkr.Broker.Api.V1.Tags;
using Brokkr.Broker.Data;

namespace Brokkr.Broker.Api.V1.Templates;

public sealed record AddAnnotationRequest(string Key, string Value);

/// <summary>
/// A template version's labels and annotations: a stack must carry all of them before the version renders into it.
/// Readers of the template may list them; only its owner (or the admin) changes them.
/// </summary>
public static class TemplateTagsApi
{
    private static readonly TagOwner<TemplateLabel, TemplateAnnotation> Owner = new()
    {
        Kind = "template",
        Labels = db => db.TemplateLabels,
        LabelOwner = l => l.TemplateId,
        LabelText = l => l.Label,
        NewLabel = (id, label) => new TemplateLabel { Id = Guid.CreateVersion7(), TemplateId = id, Label = label },
        Annotations = db => db.TemplateAnnotations,
        AnnotationOwner = a => a.TemplateId,
        AnnotationKey = a => a.Key,
        NewAnnotation = (id, key, value) => new TemplateAnnotation { Id = Guid.CreateVersion7(), TemplateId = id, Key = key, Value = value },
        RequireReader = (id, caller, db) => db.ReadableTemplateAsync(id, caller),
        RequireManager = (id, caller, db) => db.ModifiableTemplateAsync(id, caller),
    };

    /// <summary>A label is a bare JSON string, e.g. <c>"env=production"</c>.</summary>
    public static RouteGroupBuilder MapTemplateTagsApi(this RouteGroupBuilder templates) =>
        templates.MapTagRoutes<TemplateLabel, TemplateAnnotation, string, AddAnnotationRequest>(Owner, (label, _) => label,
            (body, _) => (body.Key, body.Value));
}
