using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Templates;

public sealed record CreateTemplateRequest(string Name, string TemplateContent, string ParametersSchema, string? Description = null);

/// <summary>An update: the name stays; the description is kept unless given.</summary>
public sealed record UpdateTemplateRequest(string TemplateContent, string ParametersSchema, string? Description = null);

/// <summary>Stack templates: versioned Tera manifests with a JSON Schema for their parameters.</summary>
public static class TemplatesApi
{
    public static RouteGroupBuilder MapTemplatesApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/templates").WithTags("Templates");
        group.MapGet("", List);
        group.MapPost("", Create);
        group.MapGet("/{id}", Get);
        group.MapPut("/{id}", Update);
        group.MapDelete("/{id}", Delete);
        group.MapTemplateTagsApi();
        api.MapTemplateInstantiationApi();
        return api;
    }

    /// <summary>Every live version, each its own entry; the newest of a name is its highest version.</summary>
    private static async Task<Ok<List<StackTemplate>>> List(Caller caller, BrokkrDbContext db) =>
        TypedResults.Ok(await db.ReadableTemplates(caller).OrderBy(t => t.Name).ThenBy(t => t.Version).ThenBy(t => t.Id).ToListAsync());

    /// <summary>The admin's templates are the system's (no generator); a generator's are its own.</summary>
    private static async Task<Created<StackTemplate>> Create(Caller caller, Json<CreateTemplateRequest> body, BrokkrDbContext db)
    {
        TemplateAccess.RequireAdminOrGenerator(caller);
        var request = body.Value;
        var template = await TemplateVersions.AppendAsync(db, caller.IsAdmin ? null : caller.GeneratorId, request.Name,
            request.Description, request.TemplateContent, request.ParametersSchema);
        return TypedResults.Created($"/api/v1/templates/{template.Id}", template);
    }

    private static async Task<Ok<StackTemplate>> Get(Guid id, Caller caller, BrokkrDbContext db) =>
        TypedResults.Ok(await db.ReadableTemplateAsync(id, caller));

    /// <summary>Inserts the next version, with a new id and no labels or annotations; the version at <paramref name="id"/> stays as it was.</summary>
    private static async Task<Ok<StackTemplate>> Update(Guid id, Caller caller, Json<UpdateTemplateRequest> body, BrokkrDbContext db)
    {
        var existing = await db.ModifiableTemplateAsync(id, caller);
        var request = body.Value;
        return TypedResults.Ok(await TemplateVersions.AppendAsync(db, existing.GeneratorId, existing.Name,
            request.Description ?? existing.Description, request.TemplateContent, request.ParametersSchema));
    }

    /// <summary>Soft-deletes this one version; deployment objects rendered from it stay.</summary>
    private static async Task<NoContent> Delete(Guid id, Caller caller, BrokkrDbContext db)
    {
        var template = await db.ModifiableTemplateAsync(id, caller);
        template.DeletedAt = DateTime.UtcNow;
        await db.SaveChangesAsync();
        return TypedResults.NoContent();
    }
}
