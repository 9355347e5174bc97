using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Brokkr.Broker.Metrics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.WorkOrders;

/// <summary>
/// The agent's side of the queue: PENDING → CLAIMED by exactly one agent, then completed into the log, or
/// RETRY_PENDING with a backoff of 2^retry_count × backoff_seconds when the failure is retryable and retries are left.
/// </summary>
public static class WorkOrderClaimsApi
{
    /// <summary>Keeps now + backoff a representable timestamp however the retry count and base combine.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromDays(365);

    public static RouteGroupBuilder MapWorkOrderClaimsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/agents/{agent_id}/work-orders/pending", Pending).WithTags(WorkOrdersApi.Tag);
        api.MapPost("/work-orders/{id}/claim", Claim).WithTags(WorkOrdersApi.Tag);
        api.MapPost("/work-orders/{id}/complete", Complete).WithTags(WorkOrdersApi.Tag);
        return api;
    }

    private static async Task<Ok<List<WorkOrder>>> Pending(Guid agent_id, string? work_type, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdminOrAgentSelf(agent_id);
        var orders = WorkOrderQueries.ClaimableBy(db, agent_id);
        if (work_type is not null) orders = orders.Where(w => w.WorkType == work_type);
        return TypedResults.Ok(await orders.ToListAsync());
    }

    /// <summary>
    /// 404 when the order does not exist or is not targeted at the agent (upstream's "not found or not claimable"),
    /// 409 when it is targeted but another agent holds it or its retry backoff has not run out.
    /// </summary>
    private static async Task<Ok<WorkOrder>> Claim(Guid id, Caller caller, Json<ClaimWorkOrderRequest> body, BrokkrDbContext db,
        WorkOrderMetrics metrics)
    {
        var agentId = body.Value.AgentId;
        caller.RequireAdminOrAgentSelf(agentId);
        if (await WorkOrderQueries.TryClaimAsync(db, id, agentId) is { } claimed)
        {
            metrics.Claim(WorkOrderMetrics.Claimed);
            return TypedResults.Ok(claimed);
        }
        var current = await db.WorkOrders.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id) ?? throw WorkOrdersApi.NotFound();
        if (!await WorkOrderQueries.TargetsAsync(db, id, agentId))
        {
            throw ApiException.NotFound("work_order_not_claimable", "work order not found or not claimable by this agent");
        }
        metrics.Claim(WorkOrderMetrics.Conflict);
        throw current.Status == WorkOrder.Claimed
            ? new ApiException(StatusCodes.Status409Conflict, "work_order_already_claimed", "another agent has claimed this work order")
            : new ApiException(StatusCodes.Status409Conflict, "work_order_not_claimable", "the work order is waiting for its retry backoff");
    }

    /// <summary>
    /// Under the order's row lock, so a completion cannot interleave with a stale-claim release or a second
    /// completion: only the agent holding the claim (or the admin) completes it, and only while it is CLAIMED.
    /// </summary>
    private static async Task<Results<Ok<WorkOrderLog>, Accepted<RetryScheduled>>> Complete(Guid id, Caller caller,
        Json<CompleteWorkOrderRequest> body, BrokkrDbContext db, WorkOrderMetrics metrics)
    {
        var report = body.Value;
        await using var transaction = await db.Database.BeginTransactionAsync();
        var order = (await db.WorkOrders.FromSql($"SELECT * FROM work_orders WHERE id = {id} FOR UPDATE").AsNoTracking().ToListAsync())
            .SingleOrDefault() ?? throw WorkOrdersApi.NotFound();
        if (!caller.IsAdmin && !(caller.IsAgent && order.ClaimedBy == caller.AgentId))
        {
            throw ApiException.Forbidden("work_order_not_claimed_by_agent", "the work order is not claimed by this agent");
        }
        if (order.Status != WorkOrder.Claimed)
        {
            throw new ApiException(StatusCodes.Status409Conflict, "work_order_not_claimed", "only a claimed work order can be completed");
        }

        if (!report.Success && report.Retryable && order.RetryCount < order.MaxRetries)
        {
            var retry = order.RetryCount + 1;
            var backoff = Backoff(retry, order.BackoffSeconds).TotalSeconds;
            await db.Database.ExecuteSqlAsync($"""
                UPDATE work_orders SET status = 'RETRY_PENDING', retry_count = {retry}, claimed_by = NULL, claimed_at = NULL,
                    next_retry_after = now() + make_interval(secs => {backoff}), last_error = {report.Message}::text, last_error_at = now()
                WHERE id = {id}
                """);
            await transaction.CommitAsync();
            metrics.Completed(WorkOrderMetrics.Retry);
            return TypedResults.Accepted((string?)null, new RetryScheduled());
        }

        var entry = await WorkOrderQueries.ArchiveAsync(db, id, report.Success, report.Message) ?? throw WorkOrdersApi.NotFound();
        await transaction.CommitAsync();
        metrics.Completed(report.Success ? WorkOrderMetrics.Success : WorkOrderMetrics.Failure);
        return TypedResults.Ok(entry);
    }

    /// <summary>2^<paramref name="retryCount"/> × the base, the count being that of the retry about to be scheduled.</summary>
    public static TimeSpan Backoff(int retryCount, int backoffSeconds)
    {
        var seconds = Math.Pow(2, retryCount) * backoffSeconds;
        return seconds >= MaxBackoff.TotalSeconds ? MaxBackoff : TimeSpan.FromSeconds(seconds);
    }
}
