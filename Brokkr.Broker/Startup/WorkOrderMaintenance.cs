using Brokkr.Broker.Configuration;
using Brokkr.Broker.Data;
using Brokkr.Broker.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Startup;

/// <summary>
/// Every <c>work_order_maintenance_seconds</c>: releases claims held longer than their order's claim timeout back to
/// PENDING (an agent that crashed mid-job must not strand it), turns RETRY_PENDING orders whose backoff has run out
/// into PENDING, and snapshots the queue for the gauges. Each UPDATE picks its rows with <c>FOR UPDATE SKIP LOCKED</c>,
/// so replicas running the same tick share the work instead of waiting on, or repeating, each other, and an order a
/// completion holds locked is left to that completion.
/// </summary>
public sealed class WorkOrderMaintenance(
    IServiceScopeFactory scopes, IOptionsMonitor<BrokerOptions> options, WorkOrderMetrics metrics, BrokerMeter meter,
    ILogger<WorkOrderMaintenance> logger)
    : PeriodicMaintenance(() => TimeSpan.FromSeconds(options.CurrentValue.WorkOrderMaintenanceSeconds), logger, "Work order maintenance")
{
    private sealed record StatusCount(string Status, long Count, DateTime? Oldest);

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
        var released = await db.Database.ExecuteSqlAsync($"""
            UPDATE work_orders SET status = 'PENDING', claimed_by = NULL, claimed_at = NULL
            WHERE id IN (SELECT id FROM work_orders
                         WHERE status = 'CLAIMED' AND claimed_at + make_interval(secs => claim_timeout_seconds) < now()
                         FOR UPDATE SKIP LOCKED)
            """, cancellationToken);
        if (released > 0)
        {
            metrics.StaleClaimsReleased(released);
            Logger.LogWarning("Released {Count} work order claims held past their claim timeout", released);
        }
        await db.Database.ExecuteSqlAsync($"""
            UPDATE work_orders SET status = 'PENDING', next_retry_after = NULL
            WHERE id IN (SELECT id FROM work_orders WHERE status = 'RETRY_PENDING' AND next_retry_after <= now()
                         FOR UPDATE SKIP LOCKED)
            """, cancellationToken);
        if (meter.Enabled)
        {
            var counts = await db.Database.SqlQuery<StatusCount>($"""
                SELECT status AS "Status", count(*) AS "Count", min(created_at) AS "Oldest" FROM work_orders GROUP BY status
                """).ToListAsync(cancellationToken);
            metrics.Observe(new WorkOrderMetrics.Snapshot(counts.ToDictionary(c => c.Status, c => c.Count),
                counts.FirstOrDefault(c => c.Status == WorkOrder.Pending)?.Oldest));
        }
    }
}
