using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// Feeds <see cref="DatabaseMetrics"/> from EF Core's command pipeline, so every command the broker sends — LINQ,
/// raw SQL, migrations, SaveChanges batches — is counted once with EF's own timing, and the data layer stays free of
/// metric calls. A command cancelled by its caller is counted and timed but is not an error.
/// </summary>
public sealed class DatabaseMetricsInterceptor(DatabaseMetrics metrics) : DbCommandInterceptor
{
    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Record(command, eventData, failed: false);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData,
        DbDataReader result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData, failed: false);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Record(command, eventData, failed: false);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData,
        object? result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData, failed: false);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Record(command, eventData, failed: false);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        Record(command, eventData, failed: false);
        return ValueTask.FromResult(result);
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) =>
        Record(command, eventData, failed: true);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Record(command, eventData, failed: true);
        return Task.CompletedTask;
    }

    public override void CommandCanceled(DbCommand command, CommandEndEventData eventData) =>
        Record(command, eventData, failed: false);

    public override Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Record(command, eventData, failed: false);
        return Task.CompletedTask;
    }

    private void Record(DbCommand command, CommandEndEventData eventData, bool failed) =>
        metrics.Executed(SqlOperation.Of(command.CommandText), eventData.Duration, failed);
}
