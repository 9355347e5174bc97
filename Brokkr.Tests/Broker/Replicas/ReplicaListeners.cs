using Brokkr.Broker.Data;
using Npgsql;

namespace Brokkr.Tests.Broker.Replicas;

/// <summary>
/// The broker replicas' listening connections on one database (<see cref="NotificationListener"/>): terminated as a
/// PostgreSQL restart or a network fault would end them, or counted. A replica waits a second before reconnecting,
/// so a write made right after <see cref="TerminateAsync"/> commits while nobody listens — which a test confirms by
/// counting none after it.
/// </summary>
public static class ReplicaListeners
{
    /// <summary>Ends every replica's listening connection; returns how many there were.</summary>
    public static Task<long> TerminateAsync(string connectionString) => QueryAsync(connectionString, "count(pg_terminate_backend(pid))");

    public static Task<long> CountAsync(string connectionString) => QueryAsync(connectionString, "count(*)");

    private static async Task<long> QueryAsync(string connectionString, string aggregate)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            SELECT {aggregate} FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = '{NotificationListener.ApplicationName}'
            """, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
