using System.Linq.Expressions;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Tags;

/// <summary>
/// The label and annotation routes every owner has (spec §4.4, §4.7; templates alike): list sorted by tag, add,
/// and delete by tag with the path segment decoded once (<see cref="TagPathSegment"/>). The add bodies differ between
/// owners only in shape (a bare string, or a record naming the owner), which the owner's readers turn into the tag.
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
        group.MapTags<TLabel, TLabelBody>("labels", "label", owner.Kind, owner.Labels, owner.LabelOwner, owner.LabelText,
            owner.RequireReader, owner.RequireManager,
            (id, body) => owner.NewLabel(id, Validation.Tag(labelOf(body, id), "invalid_label", "label")));
        group.MapTags<TAnnotation, TAnnotationBody>("annotations", "key", owner.Kind, owner.Annotations, owner.AnnotationOwner,
            owner.AnnotationKey, owner.RequireReader, owner.RequireManager, (id, body) =>
            {
                var (key, value) = annotationOf(body, id);
                return owner.NewAnnotation(id, Validation.Tag(key, "invalid_annotation", "annotation key"),
                    Validation.Tag(value, "invalid_annotation", "annotation value"));
            });
        return group;
    }

    /// <summary>List, add and delete for one of the two tables.</summary>
    /// <param name="collection">The path segment: <c>labels</c> or <c>annotations</c>.</param>
    /// <param name="tagParameter">The route parameter naming a tag in the delete path, as the contract spells it.</param>
    private static void MapTags<TRow, TBody>(this RouteGroupBuilder group, string collection, string tagParameter,
        string kind, Func<BrokkrDbContext, DbSet<TRow>> table, Expression<Func<TRow, Guid>> ownerColumn,
        Expression<Func<TRow, string>> tagColumn, Func<Guid, Caller, BrokkrDbContext, Task> requireReader,
        Func<Guid, Caller, BrokkrDbContext, Task> requireManager, Func<Guid, TBody, TRow> create)
        where TRow : class
    {
        var singular = collection.TrimEnd('s');
        group.MapGet($"/{{id}}/{collection}", async (Guid id, Caller caller, BrokkrDbContext db) =>
        {
            await requireReader(id, caller, db);
            return TypedResults.Ok(await table(db).WhereEquals(ownerColumn, id).OrderBy(tagColumn).ToListAsync());
        });
        group.MapPost($"/{{id}}/{collection}", async (Guid id, Caller caller, Json<TBody> body, BrokkrDbContext db) =>
        {
            await requireManager(id, caller, db);
            var row = create(id, body.Value);
            table(db).Add(row);
            await db.SaveChangesAsync();
            return TypedResults.Created($"/api/v1/{kind}s/{id}/{collection}", row);
        });
        // The tag is read from the raw path (TagPathSegment), so the handler takes no parameter for it; the route
        // keeps the contract's parameter name.
        group.MapDelete($"/{{id}}/{collection}/{{{tagParameter}}}", async (Guid id, Caller caller, HttpRequest request, BrokkrDbContext db) =>
        {
            var tag = TagPathSegment.Read(request, (string)request.RouteValues[tagParameter]!);
            await requireManager(id, caller, db);
            if (await table(db).WhereEquals(ownerColumn, id).WhereEquals(tagColumn, tag).ExecuteDeleteAsync() == 0)
            {
                throw ApiException.NotFound($"{kind}_{singular}_not_found", $"the {kind} has no such {singular}");
            }
            return TypedResults.NoContent();
        });
    }

    /// <summary><c>rows.Where(r => member(r) == value)</c> for a member chosen by the owner, with the value a parameter.</summary>
    private static IQueryable<T> WhereEquals<T, TValue>(this IQueryable<T> rows, Expression<Func<T, TValue>> member, TValue value)
    {
        // A closure over the value, not a constant: EF sends it as a parameter and caches one plan for all values.
        Expression<Func<TValue>> captured = () => value;
        return rows.Where(Expression.Lambda<Func<T, bool>>(Expression.Equal(member.Body, captured.Body), member.Parameters));
    }
}
