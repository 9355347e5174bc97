using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Agents;

public sealed record NewAgentTarget(Guid AgentId, Guid StackId);

/// <summary>
/// Explicit targets (spec §4.4): the admin or the stack's owning generator assigns a stack to an agent that is
/// registered with that generator. Agents cannot target themselves.
/// </summary>
public static class AgentTargetsApi
{
    public static RouteGroupBuilder MapAgentTargetsApi(this RouteGroupBuilder agents)
    {
        agents.MapGet("/{id}/targets", List);
        agents.MapPost("/{id}/targets", Add);
        agents.MapDelete("/{id}/targets/{stackId}", Remove);
        return agents;
    }

    private static async Task<Ok<List<AgentTarget>>> List(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdminOrAgentSelf(id);
        return TypedResults.Ok(await db.AgentTargets.Where(t => t.AgentId == id).OrderBy(t => t.StackId).ToListAsync());
    }

    private static async Task<Created<AgentTarget>> Add(Guid id, Caller caller, Json<NewAgentTarget> body, BrokkrDbContext db)
    {
        // One transaction, so the registration AuthorizeAsync locks stays until the target is committed.
        await using var transaction = await db.Database.BeginTransactionAsync();
        await AuthorizeAsync(id, body.Value.StackId, caller, db);
        Validation.SameId(body.Value.AgentId, id, "agent_id_mismatch", "agent_id");
        var target = new AgentTarget { Id = Guid.CreateVersion7(), AgentId = id, StackId = body.Value.StackId };
        db.AgentTargets.Add(target);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return TypedResults.Created($"/api/v1/agents/{id}/targets", target);
    }

    private static async Task<NoContent> Remove(Guid id, Guid stackId, Caller caller, BrokkrDbContext db)
    {
        await AuthorizeAsync(id, stackId, caller, db);
        if (await db.AgentTargets.Where(t => t.AgentId == id && t.StackId == stackId).ExecuteDeleteAsync() == 0)
        {
            throw ApiException.NotFound("agent_target_not_found", "the agent has no target on this stack");
        }
        return TypedResults.NoContent();
    }

    /// <summary>The spec's check chain for both target writes, in its order.</summary>
    private static async Task AuthorizeAsync(Guid agentId, Guid stackId, Caller caller, BrokkrDbContext db)
    {
        var stack = await db.StackAsync(stackId);
        if (caller.IsGenerator && !caller.IsGeneratorSelf(stack.GeneratorId))
        {
            throw ApiException.Forbidden("target_generator_mismatch", "the stack belongs to another generator");
        }
        if (!caller.IsAdminOrOwner(stack.GeneratorId))
        {
            throw ApiException.Forbidden("target_create_denied", "only the admin or the stack's generator may target it");
        }
        // Locked (within Add's transaction): an unregistration racing the new target either commits first, and the
        // registration is gone here, or waits for the target and then removes it with the registration.
        if (!await db.LockRegistrationAsync(agentId, stack.GeneratorId))
        {
            throw ApiException.Forbidden("agent_not_registered", "the agent is not registered with the stack's generator");
        }
    }
}
