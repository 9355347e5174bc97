using Brokkr.Broker.Configuration;
using Brokkr.Broker.Data;
using Brokkr.Broker.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Startup;

/// <summary>
/// Every <c>diagnostic_cleanup_interval_seconds</c>: gives each open request past its <c>expires_at</c> its terminal
/// status — <c>expired</c> when no agent claimed it, <c>failed</c> when one claimed it and never answered — deletes
/// finished requests older than <c>diagnostic_max_age_hours</c> (their results cascade), and counts the open ones for
/// the gauge. Each statement picks its rows with <c>FOR UPDATE SKIP LOCKED</c>: replicas running the same tick share
/// the rows instead of repeating each other, and a request whose result is being stored right now is left to it.
/// </summary>
public sealed class DiagnosticMaintenance(
    IServiceScopeFactory scopes, IOptionsMonitor<BrokerOptions> options, DiagnosticMetrics metrics, BrokerMeter meter,
    ILogger<DiagnosticMaintenance> logger)
    : PeriodicMaintenance(() => TimeSpan.FromSeconds(options.CurrentValue.DiagnosticCleanupIntervalSeconds), logger, "Diagnostic maintenance")
{
    private sealed record StatusCount(string Status, long Count);

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
        var swept = await db.Database.SqlQuery<StatusCount>($"""
            WITH swept AS (
                UPDATE diagnostic_requests
                SET status = CASE status WHEN 'pending' THEN 'expired' ELSE 'failed' END, completed_at = now()
                WHERE id IN (SELECT id FROM diagnostic_requests
                             WHERE status IN ('pending', 'claimed') AND expires_at <= now()
                             FOR UPDATE SKIP LOCKED)
                RETURNING status)
            SELECT status AS "Status", count(*) AS "Count" FROM swept GROUP BY status
            """).ToListAsync(cancellationToken);
        foreach (var outcome in swept)
        {
            metrics.Finished(outcome.Status, outcome.Count);
            Logger.LogInformation("{Count} diagnostic requests passed their deadline: {Status}", outcome.Count, outcome.Status);
        }

        var maxAgeHours = Math.Max(0, options.CurrentValue.DiagnosticMaxAgeHours);
        await db.Database.ExecuteSqlAsync($"""
            DELETE FROM diagnostic_requests
            WHERE id IN (SELECT id FROM diagnostic_requests
                         WHERE status IN ('completed', 'expired', 'failed')
                           AND completed_at < now() - make_interval(hours => {maxAgeHours})
                         FOR UPDATE SKIP LOCKED)
            """, cancellationToken);

        if (meter.Enabled)
        {
            var open = await db.Database.SqlQuery<StatusCount>($"""
                SELECT status AS "Status", count(*) AS "Count" FROM diagnostic_requests
                WHERE status IN ('pending', 'claimed') GROUP BY status
                """).ToListAsync(cancellationToken);
            metrics.Observe(open.ToDictionary(c => c.Status, c => c.Count));
        }
    }
}
