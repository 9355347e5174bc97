using Brokkr.Broker.Metrics;
using Brokkr.Broker.Targeting;
using Npgsql;
using NpgsqlTypes;

namespace Brokkr.Broker.Data;

/// <summary>
/// The statements every agent poll runs — the heartbeat update and the target state's (id, updated_at) rows — as plain
/// Npgsql commands on a connection pool of their own whose statements Npgsql auto-prepares
/// (<see cref="Configuration.DatabaseConnection.ForPolling"/>): planning them afresh was most of PostgreSQL's cost per
/// poll. They bypass EF Core because its query pipeline (expression funcletizing, cache lookup, shaper) then cost the
/// broker more CPU than the statements themselves. Objects not yet serialised are read through EF on the main pool
/// (<see cref="DeploymentObjectJson"/>), so the entity mapping stays in one place.
/// <para>
/// Only single statements outside any explicit transaction run on this pool. Auto-prepare is unsafe on a connection
/// where a statement fails inside a transaction that is then rolled back (npgsql/npgsql#6391: the statement's prepared
/// twin is left corrupt); the API's writes, which do that, stay on the main pool without auto-prepare.
/// </para>
/// </summary>
public sealed class PollingCommands([FromKeyedServices(PollingCommands.DataSourceKey)] NpgsqlDataSource dataSource,
    DatabaseMetrics metrics)
{
    public const string DataSourceKey = "polling";

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
        await command.ExecuteNonQueryAsync(metrics);
    }

    /// <summary>The rows <see cref="TargetStateTag"/> hashes, in the order of <see cref="TargetingQueries.TargetState"/>.</summary>
    public async Task<List<TargetStateRow>> TargetStateStampsAsync(Guid agentId, bool full)
    {
        await using var command = dataSource.CreateCommand(TargetingQueries.TargetStateStampsSql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = agentId });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = full });
        await using var reader = await command.ExecuteReaderAsync(metrics);
        var rows = new List<TargetStateRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new TargetStateRow(reader.GetGuid(0), reader.GetDateTime(1)));
        }
        return rows;
    }
}
