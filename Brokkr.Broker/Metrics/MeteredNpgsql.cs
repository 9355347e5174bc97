using System.Diagnostics;
using Npgsql;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// Commands sent through Npgsql directly — the poll path, the telemetry COPY, the webhook queue, channel presence,
/// retention, the notification listener, the outage probe — counted and timed in <c>brokkr_database_*</c> as
/// <see cref="DatabaseMetricsInterceptor"/> does for EF Core's, so those families see every command the broker sends:
/// the operation is the command text's (<see cref="SqlOperation.Of"/>), the time runs until the command returns (or its
/// reader opens), and a caller's cancellation is no error.
/// </summary>
public static class MeteredNpgsql
{
    public static Task<int> ExecuteNonQueryAsync(this NpgsqlCommand command, DatabaseMetrics metrics, CancellationToken cancellationToken = default) =>
        metrics.MeasureAsync(command.CommandText, (command, cancellationToken), static s => s.command.ExecuteNonQueryAsync(s.cancellationToken));

    public static Task<object?> ExecuteScalarAsync(this NpgsqlCommand command, DatabaseMetrics metrics, CancellationToken cancellationToken = default) =>
        metrics.MeasureAsync(command.CommandText, (command, cancellationToken), static s => s.command.ExecuteScalarAsync(s.cancellationToken));

    public static Task<NpgsqlDataReader> ExecuteReaderAsync(this NpgsqlCommand command, DatabaseMetrics metrics, CancellationToken cancellationToken = default) =>
        metrics.MeasureAsync(command.CommandText, (command, cancellationToken), static s => s.command.ExecuteReaderAsync(s.cancellationToken));

    /// <summary>Runs <paramref name="run"/> — one command given as <paramref name="sql"/>, e.g. a whole COPY — counted and timed.</summary>
    public static async Task<T> MeasureAsync<TState, T>(this DatabaseMetrics metrics, string sql, TState state, Func<TState, Task<T>> run)
    {
        var operation = SqlOperation.Of(sql);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await run(state);
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
