using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Templates;

/// <summary>
/// Who may do what with a template: the admin everything; a generator reads (and renders) its own templates and the
/// system's, and changes only its own. A missing or deleted template is 404 before any ownership check.
/// </summary>
public static class TemplateAccess
{
    public static IQueryable<StackTemplate> LiveTemplates(this BrokkrDbContext db) => db.StackTemplates.Where(t => t.DeletedAt == null);

    /// <summary>The templates the caller may read: all for the admin, the system's and its own for a generator.</summary>
    public static IQueryable<StackTemplate> ReadableTemplates(this BrokkrDbContext db, Caller caller)
    {
        RequireAdminOrGenerator(caller);
        return caller.IsAdmin ? db.LiveTemplates() : db.LiveTemplates().Where(t => t.GeneratorId == null || t.GeneratorId == caller.GeneratorId);
    }

    public static void RequireAdminOrGenerator(Caller caller)
    {
        if (caller.IsAgent)
        {
            throw ApiException.Forbidden("templates_not_accessible", "templates are for the admin and generators");
        }
    }

    public static async Task<StackTemplate> ReadableTemplateAsync(this BrokkrDbContext db, Guid id, Caller caller)
    {
        var template = await LiveTemplateAsync(db, id);
        var readable = caller.IsAdmin || caller.IsGenerator && (template.GeneratorId is null || template.GeneratorId == caller.GeneratorId);
        if (!readable)
        {
            throw ApiException.Forbidden("template_not_accessible", "the template belongs to another generator");
        }
        return template;
    }

    public static async Task<StackTemplate> ModifiableTemplateAsync(this BrokkrDbContext db, Guid id, Caller caller)
    {
        var template = await LiveTemplateAsync(db, id);
        if (!(caller.IsAdmin || caller.IsGenerator && template.GeneratorId == caller.GeneratorId))
        {
            throw ApiException.Forbidden("template_not_owned", "only the admin or the owning generator may change this template");
        }
        return template;
    }

    private static async Task<StackTemplate> LiveTemplateAsync(BrokkrDbContext db, Guid id) =>
        await db.LiveTemplates().FirstOrDefaultAsync(t => t.Id == id)
        ?? throw ApiException.NotFound("template_not_found", "template not found");
}
