using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Stacks;

public sealed record NewStack(string Name, Guid GeneratorId, string? Description = null);

/// <summary>Full Stack JSON as PUT sends it; only name and description are applied (spec §4.6).</summary>
public sealed record StackUpdate(Guid Id, DateTime CreatedAt, DateTime UpdatedAt, string Name, Guid GeneratorId, string? Description = null);

/// <summary>Stacks (spec §4.6): owned by one generator; the admin sees and manages all.</summary>
public static class StacksApi
{
    public static RouteGroupBuilder MapStacksApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/stacks").WithTags("Stacks");
        group.MapGet("", List);
        group.MapPost("", Create);
        group.MapGet("/{id}", Get);
        group.MapPut("/{id}", Update);
        group.MapDelete("/{id}", Delete);
        group.MapStackTagsApi();
        group.MapStackDeploymentObjectsApi();
        return api;
    }

    private static async Task<Ok<List<Stack>>> List(Caller caller, Guid? pak_id, BrokkrDbContext db)
    {
        var stacks = db.LiveStacks();
        if (caller.IsGenerator)
        {
            stacks = stacks.Where(s => s.GeneratorId == caller.GeneratorId);
        }
        else if (caller.IsAdmin)
        {
            stacks = pak_id is { } generatorId ? stacks.Where(s => s.GeneratorId == generatorId) : stacks;
        }
        else
        {
            throw ApiException.Forbidden("stacks_list_denied", "agents cannot list stacks");
        }
        return TypedResults.Ok(await stacks.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).ToListAsync());
    }

    private static async Task<Created<Stack>> Create(Caller caller, Json<NewStack> body, BrokkrDbContext db)
    {
        if (caller.IsAgent)
        {
            throw ApiException.Forbidden("stack_create_denied", "agents cannot create stacks");
        }
        if (!caller.IsAdminOrOwner(body.Value.GeneratorId))
        {
            throw ApiException.Forbidden("stack_generator_mismatch", "a generator may only create stacks for itself");
        }
        var stack = new Stack
        {
            Id = Guid.CreateVersion7(),
            Name = Validation.Name(body.Value.Name, "invalid_stack", "name"),
            Description = body.Value.Description,
            GeneratorId = body.Value.GeneratorId,
        };
        db.Stacks.Add(stack);
        await db.SaveChangesAsync();
        return TypedResults.Created($"/api/v1/stacks/{stack.Id}", stack);
    }

    private static async Task<Ok<Stack>> Get(Guid id, Caller caller, BrokkrDbContext db) =>
        TypedResults.Ok(await db.OwnedStackAsync(id, caller));

    private static async Task<Ok<Stack>> Update(Guid id, Caller caller, Json<StackUpdate> body, BrokkrDbContext db)
    {
        var stack = await db.OwnedStackAsync(id, caller);
        Validation.SameId(body.Value.Id, id, "stack_id_mismatch", "id");
        stack.Name = Validation.Name(body.Value.Name, "invalid_stack", "name");
        stack.Description = body.Value.Description ?? stack.Description;
        await db.SaveChangesAsync();
        return TypedResults.Ok(stack);
    }

    private static async Task<NoContent> Delete(Guid id, Caller caller, BrokkrDbContext db)
    {
        var stack = await db.OwnedStackAsync(id, caller);
        // The stack_soft_delete trigger soft-deletes its objects and appends the deletion marker.
        stack.DeletedAt = DateTime.UtcNow;
        await db.SaveChangesAsync();
        return TypedResults.NoContent();
    }
}
