using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Metrics;
using Brokkr.Broker.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Diagnostics;

/// <summary>
/// The target agent's side: list what waits for it, claim one request (pending → claimed, once), submit the result
/// (claimed → completed). Only the agent a request names may claim it or answer it; past <c>expires_at</c> a request
/// is no longer offered or claimable, and the expiry sweep gives it its terminal status.
/// </summary>
public static class DiagnosticClaimsApi
{
    public static RouteGroupBuilder MapDiagnosticClaimsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/agents/{id}/diagnostics/pending", Pending).WithTags(DiagnosticsApi.Tag);
        api.MapPost("/diagnostics/{id}/claim", Claim).WithTags(DiagnosticsApi.Tag);
        api.MapPost("/diagnostics/{id}/result", Submit).WithTags(DiagnosticsApi.Tag);
        return api;
    }

    private static async Task<Ok<List<DiagnosticRequest>>> Pending(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdminOrAgentSelf(id);
        var pending = await db.DiagnosticRequests.FromSql($"""
            SELECT * FROM diagnostic_requests WHERE agent_id = {id} AND status = 'pending' AND expires_at > now()
            """).AsNoTracking().OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync();
        return TypedResults.Ok(pending);
    }

    /// <summary>
    /// One UPDATE decides: of two concurrent claims the second re-reads the row after the first commits, finds it
    /// claimed and changes nothing. Only then is the row read to say why nothing was claimed.
    /// </summary>
    private static async Task<Ok<DiagnosticRequest>> Claim(Guid id, Caller caller, BrokkrDbContext db)
    {
        if (caller.IsAgent && (await db.DiagnosticRequests.FromSql($"""
                UPDATE diagnostic_requests SET status = 'claimed', claimed_at = now()
                WHERE id = {id} AND agent_id = {caller.AgentId} AND status = 'pending' AND expires_at > now()
                RETURNING *
                """).AsNoTracking().ToListAsync()).SingleOrDefault() is { } claimed)
        {
            return TypedResults.Ok(claimed);
        }
        var request = await DiagnosticsApi.FindAsync(db, id);
        DiagnosticsApi.RequireTargetAgent(caller, request, "claim");
        // Still pending here means its deadline passed before the sweep gave it its terminal status.
        throw request.Status is DiagnosticRequest.Pending or DiagnosticRequest.Expired
            ? new ApiException(StatusCodes.Status409Conflict, "diagnostic_expired", "the diagnostic request has expired")
            : new ApiException(StatusCodes.Status409Conflict, "diagnostic_already_claimed", $"the diagnostic request is already {request.Status}");
    }

    /// <summary>
    /// Under the request's row lock, so a result cannot interleave with a second result or with the expiry sweep
    /// (which skips locked rows): the result and the status change commit together or not at all.
    /// </summary>
    private static async Task<Created<DiagnosticResult>> Submit(Guid id, Caller caller, Json<SubmitDiagnosticResult> body,
        BrokkrDbContext db, DiagnosticMetrics metrics)
    {
        var submitted = body.Value;
        await using var transaction = await db.Database.BeginTransactionAsync();
        var request = (await db.DiagnosticRequests.FromSql($"SELECT * FROM diagnostic_requests WHERE id = {id} FOR UPDATE")
            .AsNoTracking().ToListAsync()).SingleOrDefault() ?? throw DiagnosticsApi.NotFound();
        DiagnosticsApi.RequireTargetAgent(caller, request, "answer");
        if (request.Status != DiagnosticRequest.Claimed)
        {
            throw new ApiException(StatusCodes.Status409Conflict, "diagnostic_not_claimed",
                $"the diagnostic request is {request.Status}; only a claimed request takes a result");
        }
        submitted.Validate();

        var result = new DiagnosticResult
        {
            Id = Guid.NewGuid(),
            RequestId = id,
            PodStatuses = submitted.PodStatuses,
            Events = submitted.Events,
            LogTails = submitted.LogTails,
            CollectedAt = submitted.CollectedAt.UtcDateTime,
        };
        db.DiagnosticResults.Add(result);
        await db.SaveChangesAsync();
        await db.Database.ExecuteSqlAsync($"UPDATE diagnostic_requests SET status = 'completed', completed_at = now() WHERE id = {id}");
        await transaction.CommitAsync();
        metrics.Finished(DiagnosticRequest.Completed);
        return TypedResults.Created($"/api/v1/diagnostics/{id}", result);
    }
}
