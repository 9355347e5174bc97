using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// Feeds <see cref="DatabaseMetrics"/> from EF Core's command pipeline, so every command the broker sends — LINQ,
/// raw SQL, migrations, SaveChanges batches — is counted once with EF's own timing, and the data layer stays free of
/// metric calls. A command cancelled by its caller is counted and timed but is not an error.
/// <para>
/// A command can fail after EF reported it executed: PostgreSQL answers a batch statement by statement, so when the
/// second statement of a SaveChanges batch violates a constraint, the error surfaces while EF reads the results.
/// Query readers are therefore wrapped in a <see cref="MeteredDataReader"/>; SaveChanges readers cannot be (the
/// Npgsql provider reads per-statement row counts from its own reader type), so their late errors are taken from
/// <see cref="SaveChangesFailed"/>, labelled with the operation of the failing statement's rows. EF reports some
/// failures twice (a buffered reader's error as the command's, a command's error again as SaveChanges'), so each
/// exception counted is remembered until it is collected, and counted once.
/// </para>
/// One instance for every DbContext, holding no per-context state.
/// </summary>
public sealed class DatabaseMetricsInterceptor(DatabaseMetrics metrics) : DbCommandInterceptor, ISaveChangesInterceptor
{
    private static readonly object Counted = new();
    private readonly ConditionalWeakTable<Exception, object> _counted = new();

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result) =>
        Opened(command, eventData, result);

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData,
        DbDataReader result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Opened(command, eventData, result));

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        metrics.Executed(SqlOperation.Of(command.CommandText), eventData.Duration);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData,
        object? result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ScalarExecuted(command, eventData, result));

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        metrics.Executed(SqlOperation.Of(command.CommandText), eventData.Duration);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
        CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(NonQueryExecuted(command, eventData, result));

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Failed(command, eventData);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Failed(command, eventData);
        return Task.CompletedTask;
    }

    public override void CommandCanceled(DbCommand command, CommandEndEventData eventData) =>
        metrics.Executed(SqlOperation.Of(command.CommandText), eventData.Duration);

    public override Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        CommandCanceled(command, eventData);
        return Task.CompletedTask;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => SaveFailed(eventData.Exception);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveFailed(eventData.Exception);
        return Task.CompletedTask;
    }

    /// <summary>A query failed while its results were read (reported by <see cref="MeteredDataReader"/>).</summary>
    internal void ReaderFailed(string operation, Exception exception)
    {
        if (exception is not OperationCanceledException && FirstReport(exception))
        {
            metrics.Failed(operation);
        }
    }

    private DbDataReader Opened(DbCommand command, CommandExecutedEventData eventData, DbDataReader reader)
    {
        var operation = SqlOperation.Of(command.CommandText);
        metrics.Executed(operation, eventData.Duration);
        return eventData.CommandSource == CommandSource.SaveChanges ? reader : new MeteredDataReader(reader, this, operation);
    }

    private void Failed(DbCommand command, CommandErrorEventData eventData)
    {
        // Already counted by the reader EF was buffering: the command was counted as executed then too.
        if (FirstReport(eventData.Exception))
        {
            var operation = SqlOperation.Of(command.CommandText);
            metrics.Executed(operation, eventData.Duration);
            metrics.Failed(operation);
        }
    }

    /// <summary>
    /// SaveChanges failed. A database error not counted yet surfaced while a batch's results were read; the rows
    /// of the failing statement say what it did.
    /// </summary>
    private void SaveFailed(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException database)
            {
                if (FirstReport(database))
                {
                    metrics.Failed(Operation(exception as DbUpdateException));
                }
                return;
            }
        }
    }

    private static string Operation(DbUpdateException? update) => update?.Entries.FirstOrDefault()?.State switch
    {
        EntityState.Added => SqlOperation.Insert,
        EntityState.Modified => SqlOperation.Update,
        EntityState.Deleted => SqlOperation.Delete,
        _ => SqlOperation.Other,
    };

    /// <summary>True the first time an exception is reported; failures are rare, so remembering them costs nothing.</summary>
    private bool FirstReport(Exception exception) => _counted.TryAdd(exception, Counted);
}
