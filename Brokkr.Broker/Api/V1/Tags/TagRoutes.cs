using System.Linq.Expressions;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Tags;

/// <summary>
/// The label and annotation routes every owner has (spec §4.4, §4.7; templates alike): list sorted by tag, add,
/// and delete by tag with the path segment decoded once (<see cref="TagPathSegment"/>). The request bodies differ
/// between owners only in shape, which <paramref name="labelOf"/>-style readers turn into the tag.
/// </summary>
public static class TagRoutes
{
    /// <param name="labelOf">The label in an add-label body (and any check of it against the owner id).</param>
    /// <param name="annotationOf">The key and value in an add-annotation body (and any check against the owner id).</param>
    public static RouteGroupBuilder MapTagRoutes<TLabel, TAnnotation, TLabelBody, TAnnotationBody>(this RouteGroupBuilder group,
        TagOwner<TLabel, TAnnotation> owner, Func<TLabelBody, Guid, string> labelOf,
        Func<TAnnotationBody, Guid, (string Key, string Value)> annotationOf)
        where TLabel : class
        where TAnnotation : class
    {
        var kind = owner.Kind;
        group.MapGet("/{id}/labels", async (Guid id, Caller caller, BrokkrDbContext db) =>
        {
            await owner.RequireReader(id, caller, db);
            return TypedResults.Ok(await owner.Labels(db).WhereEquals(owner.LabelOwner, id).OrderBy(owner.LabelText).ToListAsync());
        });
        group.MapPost("/{id}/labels", async (Guid id, Caller caller, Json<TLabelBody> body, BrokkrDbContext db) =>
        {
            await owner.RequireManager(id, caller, db);
            var label = owner.NewLabel(id, Validation.Tag(labelOf(body.Value, id), "invalid_label", "label"));
            owner.Labels(db).Add(label);
            await db.SaveChangesAsync();
            return TypedResults.Created($"/api/v1/{kind}s/{id}/labels", label);
        });
        group.MapDelete("/{id}/labels/{label}", async (Guid id, string label, Caller caller, HttpRequest request, BrokkrDbContext db) =>
        {
            label = TagPathSegment.Read(request, label);
            await owner.RequireManager(id, caller, db);
            if (await owner.Labels(db).WhereEquals(owner.LabelOwner, id).WhereEquals(owner.LabelText, label).ExecuteDeleteAsync() == 0)
            {
                throw ApiException.NotFound($"{kind}_label_not_found", $"the {kind} has no such label");
            }
            return TypedResults.NoContent();
        });

        group.MapGet("/{id}/annotations", async (Guid id, Caller caller, BrokkrDbContext db) =>
        {
            await owner.RequireReader(id, caller, db);
            return TypedResults.Ok(await owner.Annotations(db).WhereEquals(owner.AnnotationOwner, id).OrderBy(owner.AnnotationKey).ToListAsync());
        });
        group.MapPost("/{id}/annotations", async (Guid id, Caller caller, Json<TAnnotationBody> body, BrokkrDbContext db) =>
        {
            await owner.RequireManager(id, caller, db);
            var (key, value) = annotationOf(body.Value, id);
            var annotation = owner.NewAnnotation(id, Validation.Tag(key, "invalid_annotation", "annotation key"),
                Validation.Tag(value, "invalid_annotation", "annotation value"));
            owner.Annotations(db).Add(annotation);
            await db.SaveChangesAsync();
            return TypedResults.Created($"/api/v1/{kind}s/{id}/annotations", annotation);
        });
        group.MapDelete("/{id}/annotations/{key}", async (Guid id, string key, Caller caller, HttpRequest request, BrokkrDbContext db) =>
        {
            key = TagPathSegment.Read(request, key);
            await owner.RequireManager(id, caller, db);
            if (await owner.Annotations(db).WhereEquals(owner.AnnotationOwner, id).WhereEquals(owner.AnnotationKey, key).ExecuteDeleteAsync() == 0)
            {
                throw ApiException.NotFound($"{kind}_annotation_not_found", $"the {kind} has no such annotation");
            }
            return TypedResults.NoContent();
        });
        return group;
    }

    /// <summary><c>rows.Where(r => member(r) == value)</c> for a member chosen by the owner, with the value a parameter.</summary>
    private static IQueryable<T> WhereEquals<T, TValue>(this IQueryable<T> rows, Expression<Func<T, TValue>> member, TValue value)
    {
        // A closure over the value, not a constant: EF sends it as a parameter and caches one plan for all values.
        Expression<Func<TValue>> captured = () => value;
        return rows.Where(Expression.Lambda<Func<T, bool>>(Expression.Equal(member.Body, captured.Body), member.Parameters));
    }
}
