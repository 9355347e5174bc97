using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.AgentEvents;

/// <summary>Fleet-wide agent events (spec §4.9), admin only.</summary>
public static class AgentEventsApi
{
    public static RouteGroupBuilder MapAgentEventsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/agent-events").WithTags("Agent events");
        group.MapGet("", List);
        group.MapGet("/{id}", Get);
        return api;
    }

    /// <summary>Live events; with <c>pak_id</c>, only those of agents registered with that generator.</summary>
    private static async Task<Ok<List<AgentEvent>>> List(Caller caller, Guid? pak_id, BrokkrDbContext db)
    {
        caller.RequireAdmin();
        var events = db.AgentEvents.Where(e => e.DeletedAt == null);
        if (pak_id is { } generatorId)
        {
            events = events.Where(e => db.AgentGeneratorRegistrations.Any(r => r.AgentId == e.AgentId && r.GeneratorId == generatorId));
        }
        return TypedResults.Ok(await events.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).ToListAsync());
    }

    private static async Task<Ok<AgentEvent>> Get(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdmin();
        return TypedResults.Ok(await db.AgentEvents.FirstOrDefaultAsync(e => e.Id == id && e.DeletedAt == null)
            ?? throw ApiException.NotFound("agent_event_not_found", "agent event not found"));
    }
}
