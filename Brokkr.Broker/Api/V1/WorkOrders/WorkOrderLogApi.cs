using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.WorkOrders;

/// <summary>The work-order log: the admin's read-only audit trail of finished orders, newest first.</summary>
public static class WorkOrderLogApi
{
    /// <summary>The most entries one answer holds when the caller gives no (or a larger) limit.</summary>
    public const int MaxEntries = 1_000;

    public static RouteGroupBuilder MapWorkOrderLogApi(this RouteGroupBuilder api)
    {
        var log = api.MapGroup("/work-order-log").WithTags(WorkOrdersApi.Tag);
        log.MapGet("", List);
        log.MapGet("/{id}", Get);
        return api;
    }

    private static async Task<Ok<List<WorkOrderLog>>> List(Caller caller, string? work_type, bool? success, Guid? agent_id, long? limit,
        BrokkrDbContext db)
    {
        caller.RequireAdmin();
        if (limit is < 1)
        {
            throw ApiException.BadRequest("invalid_limit", "limit must be at least 1");
        }
        var entries = db.WorkOrderLog.AsNoTracking();
        if (work_type is not null) entries = entries.Where(l => l.WorkType == work_type);
        if (success is { } s) entries = entries.Where(l => l.Success == s);
        if (agent_id is { } agent) entries = entries.Where(l => l.ClaimedBy == agent);
        var take = (int)Math.Min(limit ?? MaxEntries, MaxEntries);
        return TypedResults.Ok(await entries.OrderByDescending(l => l.CompletedAt).ThenBy(l => l.Id).Take(take).ToListAsync());
    }

    private static async Task<Ok<WorkOrderLog>> Get(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdmin();
        return TypedResults.Ok(await db.WorkOrderLog.AsNoTracking().FirstOrDefaultAsync(l => l.Id == id)
            ?? throw ApiException.NotFound("work_order_log_not_found", "work order log entry not found"));
    }
}
