using Brokkr.Broker.Metrics;
using Brokkr.Broker.Startup;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Brokkr.Broker.StackTelemetry;

/// <summary>
/// Keeps the telemetry tables within <see cref="TelemetryOptions.EffectiveRetentionSeconds"/> (six hours at most),
/// every <c>telemetry_eviction_interval_seconds</c>, by server-side <c>created_at</c>. Rows go in slices taken with
/// <c>FOR UPDATE SKIP LOCKED</c>: replicas running at the same moment delete disjoint rows instead of waiting on each
/// other, and no statement holds locks on millions of rows.
/// </summary>
public sealed class TelemetryRetention(NpgsqlDataSource dataSource, TelemetryMetrics metrics, DatabaseMetrics database, IOptionsMonitor<TelemetryOptions> options,
    TimeProvider time, ILogger<TelemetryRetention> logger)
    : PeriodicMaintenance(() => TimeSpan.FromSeconds(options.CurrentValue.EvictionIntervalSeconds), logger, "Telemetry retention")
{
    private const int Slice = 10_000;

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        metrics.EvictionRan();
        var cutoff = time.GetUtcNow().UtcDateTime.AddSeconds(-options.CurrentValue.EffectiveRetentionSeconds);
        foreach (var table in new[] { TelemetryMetrics.EventsTable, TelemetryMetrics.LogsTable })
        {
            long total = 0;
            int removed;
            do
            {
                await using var command = dataSource.CreateCommand($"""
                    DELETE FROM {table} WHERE id IN (
                        SELECT id FROM {table} WHERE created_at < @cutoff LIMIT {Slice} FOR UPDATE SKIP LOCKED)
                    """);
                command.Parameters.AddWithValue("cutoff", cutoff);
                removed = await command.ExecuteNonQueryAsync(database, cancellationToken);
                total += removed;
            }
            while (removed == Slice);
            if (total > 0)
            {
                metrics.Evicted(table, total);
                Logger.LogDebug("Evicted {Count} rows of {Table} older than the retention window", total, table);
            }
        }
    }
}
