using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Generators;

public sealed class AgentRegistrationBody
{
    public Guid? AgentId { get; init; }
}

/// <summary>
/// Agent ↔ generator registrations (spec §4.2): the agent's consent to receive a generator's stacks. Admin names the
/// agent; an agent always registers itself.
/// </summary>
public static class RegistrationsApi
{
    public static RouteGroupBuilder MapRegistrationsApi(this RouteGroupBuilder generators)
    {
        generators.MapPost("/{id}/register", Register);
        generators.MapDelete("/{id}/register", Unregister);
        generators.MapGet("/{id}/registered-agents", RegisteredAgents);
        return generators;
    }

    private static async Task<Created<AgentGeneratorRegistration>> Register(
        Guid id, Caller caller, OptionalJson<AgentRegistrationBody> body, BrokkrDbContext db)
    {
        var agentId = RegisteringAgent(caller, body.Value);
        await db.GeneratorAsync(id);
        if (await db.AgentGeneratorRegistrations.AnyAsync(r => r.AgentId == agentId && r.GeneratorId == id))
        {
            throw AlreadyRegistered();
        }
        var registration = new AgentGeneratorRegistration { Id = Guid.CreateVersion7(), AgentId = agentId, GeneratorId = id };
        db.AgentGeneratorRegistrations.Add(registration);
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException e) when (DatabaseErrors.Map(e) is { Code: "unique_violation" })
        {
            // Lost a race with an identical registration: same answer as the pre-check.
            throw AlreadyRegistered();
        }
        return TypedResults.Created($"/api/v1/agents/{agentId}/registrations", registration);
    }

    private static async Task<NoContent> Unregister(Guid id, Caller caller, OptionalJson<AgentRegistrationBody> body, BrokkrDbContext db)
    {
        var agentId = RegisteringAgent(caller, body.Value);
        await db.GeneratorAsync(id);
        await using var transaction = await db.Database.BeginTransactionAsync();
        // The registration goes first: its DELETE waits for a target insert that holds it locked (AgentTargetsApi),
        // so the next statement sees that target too.
        await db.AgentGeneratorRegistrations.Where(r => r.AgentId == agentId && r.GeneratorId == id).ExecuteDeleteAsync();
        // Explicit targets are not re-checked against registrations (§5.1), so they go with it.
        await db.AgentTargets
            .Where(t => t.AgentId == agentId && db.LiveStacks().Any(s => s.Id == t.StackId && s.GeneratorId == id))
            .ExecuteDeleteAsync();
        await transaction.CommitAsync();
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<AgentGeneratorRegistration>>> RegisteredAgents(Guid id, Caller caller, BrokkrDbContext db)
    {
        if (!caller.IsAdmin && !caller.IsGeneratorSelf(id))
        {
            throw ApiException.Forbidden("not_authorized", "only the admin or the generator itself may list its agents");
        }
        var generator = await db.GeneratorAsync(id);
        if (generator.IsSystem && !caller.IsAdmin)
        {
            throw ApiException.Forbidden("system_generator_not_a_tenant", "the system generator is not a tenant");
        }
        return TypedResults.Ok(await db.AgentGeneratorRegistrations.Where(r => r.GeneratorId == id)
            .OrderBy(r => r.RegisteredAt).ThenBy(r => r.Id).ToListAsync());
    }

    private static Guid RegisteringAgent(Caller caller, AgentRegistrationBody body) => caller switch
    {
        { IsAgent: true } => caller.AgentId!.Value,
        { IsAdmin: true } => body.AgentId ?? throw ApiException.BadRequest("missing_agent_id", "agent_id is required"),
        _ => throw ApiException.Forbidden("forbidden", "only the admin or an agent may change registrations"),
    };

    private static ApiException AlreadyRegistered() =>
        new(StatusCodes.Status409Conflict, "already_registered", "the agent is already registered with this generator");
}
