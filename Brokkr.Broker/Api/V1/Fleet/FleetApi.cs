using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Fleet;

/// <summary>The fleet view (admin only): every agent's measured signals, and one agent's with its recent events.</summary>
public static class FleetApi
{
    private const int RecentEvents = 20;

    public static RouteGroupBuilder MapFleetApi(this RouteGroupBuilder api)
    {
        api.MapGet("/fleet", List).WithTags("fleet").Produces<List<FleetAgentRecord>>();
        api.MapGet("/agents/{id}/fleet-status", ForAgent).WithTags("fleet");
        return api;
    }

    /// <summary><c>pak_id</c> narrows the view to agents registered with that generator; it is a filter, not a permission.
    /// The records stream into the response as the database returns them; a statement that fails does so before the
    /// first byte is written, so it is still answered as an error.</summary>
    private static StreamedJsonArray<FleetAgentRecord> List(Caller caller, Guid? pak_id, BrokkrDbContext db, CancellationToken cancellationToken)
    {
        caller.RequireAdmin();
        return new StreamedJsonArray<FleetAgentRecord>(FleetQuery.StreamAsync(db, agentId: null, pak_id, cancellationToken));
    }

    private static async Task<Ok<AgentFleetStatusResponse>> ForAgent(Guid id, Caller caller, BrokkrDbContext db, CancellationToken cancellationToken)
    {
        caller.RequireAdmin();
        var record = (await FleetQuery.LoadAsync(db, id, generatorId: null, cancellationToken)).SingleOrDefault()
            ?? throw ApiException.NotFound("agent_not_found", "agent not found");
        var events = await db.AgentEvents.AsNoTracking().Where(e => e.AgentId == id && e.DeletedAt == null)
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id).Take(RecentEvents).ToListAsync(cancellationToken);
        return TypedResults.Ok(new AgentFleetStatusResponse(record, events));
    }
}
