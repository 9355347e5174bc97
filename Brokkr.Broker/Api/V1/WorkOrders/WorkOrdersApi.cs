using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Brokkr.Broker.Metrics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.WorkOrders;

/// <summary>
/// Work orders: one-shot jobs the admin queues for agents chosen by id, label or annotation. The admin manages the
/// queue and reads the log; agents list, claim and complete what is targeted at them (<see cref="WorkOrderClaimsApi"/>).
/// </summary>
public static class WorkOrdersApi
{
    public const string Tag = "work-orders";

    public static RouteGroupBuilder MapWorkOrdersApi(this RouteGroupBuilder api)
    {
        var orders = api.MapGroup("/work-orders").WithTags(Tag);
        orders.MapGet("", List);
        orders.MapPost("", Create);
        orders.MapGet("/{id}", Get);
        orders.MapDelete("/{id}", Delete);
        api.MapWorkOrderClaimsApi();
        api.MapWorkOrderLogApi();
        return api;
    }

    private static async Task<Ok<List<WorkOrder>>> List(Caller caller, string? status, string? work_type, BrokkrDbContext db)
    {
        caller.RequireAdmin();
        var orders = db.WorkOrders.AsNoTracking();
        if (status is not null) orders = orders.Where(w => w.Status == status);
        if (work_type is not null) orders = orders.Where(w => w.WorkType == work_type);
        return TypedResults.Ok(await orders.OrderByDescending(w => w.CreatedAt).ThenBy(w => w.Id).ToListAsync());
    }

    private static async Task<Created<WorkOrder>> Create(Caller caller, Json<CreateWorkOrderRequest> body, BrokkrDbContext db,
        WorkOrderMetrics metrics)
    {
        caller.RequireAdmin();
        var order = await WorkOrderCreation.AddAsync(db, body.Value);
        metrics.Created();
        return TypedResults.Created($"/api/v1/work-orders/{order.Id}", order);
    }

    /// <summary>A finished order is still found, as upstream answers: its log entry, status COMPLETED or FAILED.</summary>
    private static async Task<Ok<WorkOrder>> Get(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdmin();
        if (await db.WorkOrders.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id) is { } live)
        {
            return TypedResults.Ok(live);
        }
        var done = await db.WorkOrderLog.AsNoTracking().FirstOrDefaultAsync(l => l.Id == id) ?? throw NotFound();
        return TypedResults.Ok(new WorkOrder
        {
            Id = done.Id,
            CreatedAt = done.CreatedAt,
            UpdatedAt = done.CompletedAt,
            WorkType = done.WorkType,
            YamlContent = done.YamlContent,
            Status = done.Success ? "COMPLETED" : "FAILED",
            ClaimedBy = done.ClaimedBy,
            ClaimedAt = done.ClaimedAt,
            RetryCount = done.RetriesAttempted,
            LastError = done.Success ? null : done.ResultMessage,
            LastErrorAt = done.Success ? null : done.CompletedAt,
        });
    }

    /// <summary>Cancels a queued order (its targeting rows cascade); a finished one is history and stays in the log.</summary>
    private static async Task<NoContent> Delete(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdmin();
        if (await db.WorkOrders.Where(w => w.Id == id).ExecuteDeleteAsync() == 0)
        {
            throw NotFound();
        }
        return TypedResults.NoContent();
    }

    public static ApiException NotFound() => ApiException.NotFound("work_order_not_found", "work order not found");
}
