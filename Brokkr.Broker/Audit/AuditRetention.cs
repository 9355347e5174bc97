using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Audit;

/// <summary>
/// Deletes audit entries older than <c>audit_log_retention_days</c> every <c>audit_log_cleanup_interval_seconds</c>
/// (both read at each tick, so a configuration reload applies at the next one). Rows go in slices taken with
/// <c>FOR UPDATE SKIP LOCKED</c>: replicas running at the same moment delete disjoint rows instead of waiting on each
/// other, and no statement holds locks on millions of rows.
/// </summary>
public sealed class AuditRetention(IServiceScopeFactory scopes, IOptionsMonitor<AuditOptions> options, ILogger<AuditRetention> logger)
    : BackgroundService
{
    private const int Slice = 10_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval());
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Audit log retention run failed; retrying at the next tick");
            }
            timer.Period = Interval();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private TimeSpan Interval() => TimeSpan.FromSeconds(Math.Max(1, options.CurrentValue.CleanupIntervalSeconds));

    private async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var days = options.CurrentValue.RetentionDays;
        if (days <= 0)
        {
            return;
        }
        var cutoff = DateTime.UtcNow.AddDays(-days);
        long total = 0;
        int removed;
        do
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
            removed = await db.Database.ExecuteSqlAsync($"""
                DELETE FROM audit_logs WHERE id IN (
                    SELECT id FROM audit_logs WHERE created_at < {cutoff} LIMIT {Slice} FOR UPDATE SKIP LOCKED)
                """, cancellationToken);
            total += removed;
        }
        while (removed == Slice);
        if (total > 0)
        {
            logger.LogInformation("Removed {Count} audit log entries older than {Days} days", total, days);
        }
    }
}
