using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Brokkr.Broker.Metrics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Diagnostics;

/// <summary>
/// On-demand diagnostics: the admin (the console's read-only credential included) asks one agent for a snapshot of a
/// deployment object's pods, events and log tails, and reads it back; the agent's side is <see cref="DiagnosticClaimsApi"/>.
/// </summary>
public static class DiagnosticsApi
{
    public const string Tag = "diagnostics";

    public static RouteGroupBuilder MapDiagnosticsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/deployment-objects/{id}/diagnostics", Create).WithTags(Tag);
        api.MapGet("/diagnostics/{id}", Get).WithTags(Tag);
        api.MapDiagnosticClaimsApi();
        return api;
    }

    private static async Task<Created<DiagnosticRequest>> Create(Guid id, Caller caller, Json<CreateDiagnosticRequest> body,
        BrokkrDbContext db, DiagnosticMetrics metrics)
    {
        caller.RequireAdmin();
        var request = body.Value;
        var agentId = request.ValidAgentId();
        var retention = request.ValidRetentionMinutes();
        var requestedBy = request.ValidRequestedBy();
        if (!await db.DeploymentObjects.AnyAsync(d => d.Id == id && d.DeletedAt == null))
        {
            throw ApiException.NotFound("deployment_object_not_found", "deployment object not found");
        }
        await db.AgentAsync(agentId);

        // The deadline comes from the database clock, the one the expiry sweep compares it with.
        var created = (await db.DiagnosticRequests.FromSql($"""
            INSERT INTO diagnostic_requests (agent_id, deployment_object_id, requested_by, expires_at)
            VALUES ({agentId}, {id}, {requestedBy}::varchar, now() + make_interval(mins => {retention}))
            RETURNING *
            """).AsNoTracking().ToListAsync()).Single();
        metrics.Created();
        return TypedResults.Created($"/api/v1/diagnostics/{created.Id}", created);
    }

    /// <summary>The admin, or the agent the request is for; anyone else 403 <c>diagnostic_not_owned</c>.</summary>
    private static async Task<Ok<DiagnosticResponse>> Get(Guid id, Caller caller, BrokkrDbContext db)
    {
        var request = await FindAsync(db, id);
        if (!caller.IsAdmin)
        {
            RequireTargetAgent(caller, request, "read");
        }
        var result = await db.DiagnosticResults.AsNoTracking().FirstOrDefaultAsync(r => r.RequestId == id);
        return TypedResults.Ok(new DiagnosticResponse(request, result));
    }

    public static async Task<DiagnosticRequest> FindAsync(BrokkrDbContext db, Guid id) =>
        await db.DiagnosticRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id) ?? throw NotFound();

    public static void RequireTargetAgent(Caller caller, DiagnosticRequest request, string action)
    {
        if (!caller.IsAgentSelf(request.AgentId))
        {
            throw ApiException.Forbidden("diagnostic_not_owned", $"only the agent this diagnostic request is for may {action} it");
        }
    }

    public static ApiException NotFound() => ApiException.NotFound("diagnostic_not_found", "diagnostic request not found");
}
