using System.Security.Cryptography;
using System.Text;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Templates;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Templates;

/// <summary>
/// Writes a template version. Versions count per (owner, name) from 1; a create with a name the owner already used and
/// every update insert the next one, and no row is ever edited. Content and schema are checked before anything is written.
/// </summary>
public static class TemplateVersions
{
    public static async Task<StackTemplate> AppendAsync(BrokkrDbContext db, Guid? generatorId, string name, string? description,
        string templateContent, string parametersSchema)
    {
        name = Validation.Name(name, "invalid_template", "name");
        if (string.IsNullOrWhiteSpace(templateContent))
        {
            throw ApiException.BadRequest("invalid_template", "template_content must not be empty");
        }
        TemplateEngine.Compile(templateContent);
        ParameterSchema.Parse(parametersSchema);

        await using var transaction = await db.Database.BeginTransactionAsync();
        // Two writers of the same name would both pick the same next version; the second waits here instead of
        // failing on unique_template_version. The lock ends with the transaction.
        var key = $"brokkr.template:{generatorId}:{name}";
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))");
        var latest = await db.StackTemplates.Where(t => t.GeneratorId == generatorId && t.Name == name).MaxAsync(t => (int?)t.Version) ?? 0;
        var template = new StackTemplate
        {
            Id = Guid.CreateVersion7(),
            GeneratorId = generatorId,
            Name = name,
            Description = description,
            Version = latest + 1,
            TemplateContent = templateContent,
            ParametersSchema = parametersSchema,
            Checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(templateContent))),
        };
        db.StackTemplates.Add(template);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return template;
    }
}
