using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Generators;

public sealed record NewGenerator(string Name, string? Description = null);

public sealed record CreateGeneratorResponse(Generator Generator, string Pak);

/// <summary>Full Generator JSON as PUT sends it; only name, description and is_active are applied (spec §4.2).</summary>
public sealed record GeneratorUpdate(
    Guid Id, DateTime CreatedAt, DateTime UpdatedAt, string Name, bool IsActive, bool IsSystem, string? Description = null);

/// <summary>Generators (spec §4.2): admin-managed tenants; a generator may read, update, delete and rotate itself.</summary>
public static class GeneratorsApi
{
    public static RouteGroupBuilder MapGeneratorsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/generators").WithTags("Generators");
        group.MapGet("", List);
        group.MapPost("", Create);
        group.MapGet("/{id}", Get);
        group.MapPut("/{id}", Update);
        group.MapDelete("/{id}", Delete);
        group.MapPost("/{id}/rotate-pak", RotatePak);
        group.MapRegistrationsApi();
        return api;
    }

    private static async Task<Ok<List<Generator>>> List(Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdmin();
        return TypedResults.Ok(await db.LiveGenerators().Where(g => !g.IsSystem)
            .OrderBy(g => g.CreatedAt).ThenBy(g => g.Id).ToListAsync());
    }

    private static async Task<Created<CreateGeneratorResponse>> Create(Caller caller, Json<NewGenerator> body, BrokkrDbContext db, PakFormat paks)
    {
        caller.RequireAdmin();
        var (generator, pak) = await GeneratorCreation.CreateAsync(db, paks, body.Value.Name, body.Value.Description);
        return TypedResults.Created($"/api/v1/generators/{generator.Id}", new CreateGeneratorResponse(generator, pak.Plaintext));
    }

    private static async Task<Ok<Generator>> Get(Guid id, Caller caller, BrokkrDbContext db)
    {
        RequireAdminOrSelf(caller, id);
        return TypedResults.Ok(await db.GeneratorAsync(id));
    }

    private static async Task<Ok<Generator>> Update(Guid id, Caller caller, Json<GeneratorUpdate> body, BrokkrDbContext db)
    {
        RequireAdminOrSelf(caller, id);
        var generator = await db.GeneratorAsync(id, notFoundCode: "not_found");
        generator.Name = Validation.Name(body.Value.Name, "invalid_generator", "name");
        generator.Description = body.Value.Description ?? generator.Description;
        generator.IsActive = body.Value.IsActive;
        await db.SaveChangesAsync();
        return TypedResults.Ok(generator);
    }

    private static async Task<NoContent> Delete(Guid id, Caller caller, BrokkrDbContext db, PakRevocations revocations)
    {
        RequireAdminOrSelf(caller, id);
        var generator = await db.GeneratorAsync(id);
        if (generator.IsSystem)
        {
            throw ApiException.Forbidden("cannot_delete_system_generator", "the system generator cannot be deleted");
        }
        // The generator_soft_delete trigger cascades to its stacks and their deployment objects.
        generator.DeletedAt = DateTime.UtcNow;
        await revocations.SaveAndRevokeAsync(db, generator.PakHash);
        return TypedResults.NoContent();
    }

    private static async Task<Created<CreateGeneratorResponse>> RotatePak(Guid id, Caller caller, BrokkrDbContext db, PakFormat paks, PakRevocations revocations)
    {
        RequireAdminOrSelf(caller, id);
        var generator = await db.GeneratorAsync(id);
        var pak = await PakRotation.RotateAsync(generator, db, paks, revocations);
        return TypedResults.Created($"/api/v1/generators/{generator.Id}", new CreateGeneratorResponse(generator, pak.Plaintext));
    }

    private static void RequireAdminOrSelf(Caller caller, Guid id)
    {
        if (!caller.IsAdmin && !caller.IsGeneratorSelf(id))
        {
            throw ApiException.Forbidden("generator_not_owned", "the PAK does not belong to this generator");
        }
    }
}
