using System.Diagnostics;
using Brokkr.Broker.Metrics;
using Brokkr.Broker.Targeting;
using Npgsql;
using NpgsqlTypes;

namespace Brokkr.Broker.Data;

/// <summary>
/// The statements every agent poll runs — the heartbeat update and the target state's (id, updated_at) rows — as plain
/// Npgsql commands on the poll path's auto-preparing pool (<see cref="PollingDbContext"/> says why that pool exists).
/// They bypass EF Core because its query pipeline (expression funcletizing, cache lookup, shaper) cost the broker
/// more CPU than the statements themselves once PostgreSQL no longer re-planned them. Objects not yet serialised are
/// still read through EF (<see cref="DeploymentObjectJson"/>), so the entity mapping stays in one place.
/// </summary>
public sealed class PollingCommands([FromKeyedServices(nameof(PollingDbContext))] NpgsqlDataSource dataSource,
    DatabaseMetrics metrics)
{
    /// <param name="report">Kubernetes reachability and probe latency, when the agent reported them.</param>
    public async Task HeartbeatAsync(Guid agentId, DateTime now, (bool Reachable, int? LatencyMs)? report)
    {
        // Two fixed statements rather than one with optional parts: each is prepared once and its plan reused.
        await using var command = dataSource.CreateCommand(report is null
            ? "UPDATE agents SET last_heartbeat = $1 WHERE id = $2"
            : """
              UPDATE agents SET last_heartbeat = $1, k8s_reachable = $2, k8s_api_latency_ms = $3, k8s_reported_at = $1
              WHERE id = $4
              """);
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = now, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        if (report is (var reachable, var latency))
        {
            command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = reachable });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)latency ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        }
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = agentId });
        await MeteredAsync(SqlOperation.Update, command, static c => c.ExecuteNonQueryAsync());
    }

    /// <summary>The rows <see cref="TargetStateTag"/> hashes, in the order of <see cref="TargetingQueries.TargetState"/>.</summary>
    public async Task<List<TargetStateRow>> TargetStateStampsAsync(Guid agentId, bool full)
    {
        await using var command = dataSource.CreateCommand(TargetingQueries.TargetStateStampsSql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = agentId });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = full });
        await using var reader = await MeteredAsync(SqlOperation.Select, command, static c => c.ExecuteReaderAsync());
        var rows = new List<TargetStateRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new TargetStateRow(reader.GetGuid(0), reader.GetDateTime(1)));
        }
        return rows;
    }

    /// <summary>
    /// Counts and times the command in <see cref="DatabaseMetrics"/> as <see cref="DatabaseMetricsInterceptor"/> does
    /// for EF's commands (until the reader opens; a caller's cancellation is no error), so the poll path stays in the
    /// database metrics although EF does not see it.
    /// </summary>
    private async Task<T> MeteredAsync<T>(string operation, NpgsqlCommand command, Func<NpgsqlCommand, Task<T>> execute)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await execute(command);
            metrics.Executed(operation, Stopwatch.GetElapsedTime(started));
            return result;
        }
        catch (Exception e)
        {
            metrics.Executed(operation, Stopwatch.GetElapsedTime(started));
            if (e is not OperationCanceledException)
            {
                metrics.Failed(operation);
            }
            throw;
        }
    }
}
