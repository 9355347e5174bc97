using System.Data.Common;
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
/// <see cref="SaveChangesFailed"/>. Every failure is counted once: the exception last counted is remembered, and
/// the paths that can report it a second time (EF buffering a reader, SaveChanges wrapping the command's error)
/// compare against it.
/// </para>
/// One instance per DbContext (see <see cref="BrokerMetricsExtensions.UseDatabaseMetrics"/>), which uses one command
/// at a time, so the fields need no locking.
/// </summary>
public sealed class DatabaseMetricsInterceptor(DatabaseMetrics metrics) : DbCommandInterceptor, ISaveChangesInterceptor
{
    private DbCommand? _readerCommand;
    private string? _readerOperation;
    private Exception? _countedFailure;

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

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) =>
        Ended(command, eventData, eventData.Exception);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Ended(command, eventData, eventData.Exception);
        return Task.CompletedTask;
    }

    public override void CommandCanceled(DbCommand command, CommandEndEventData eventData) => Ended(command, eventData, null);

    public override Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        Ended(command, eventData, null);
        return Task.CompletedTask;
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        ForgetReader();
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        ForgetReader();
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData) => SaveFailed(eventData.Exception);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveFailed(eventData.Exception);
        return Task.CompletedTask;
    }

    /// <summary>A reader command failed while its results were read (called by <see cref="MeteredDataReader"/>).</summary>
    internal void ReaderFailed(string operation, Exception exception)
    {
        if (exception is not OperationCanceledException && !ReferenceEquals(exception, _countedFailure))
        {
            _countedFailure = exception;
            metrics.Failed(operation);
        }
    }

    private DbDataReader Opened(DbCommand command, CommandExecutedEventData eventData, DbDataReader reader)
    {
        var operation = SqlOperation.Of(command.CommandText);
        metrics.Executed(operation, eventData.Duration);
        _readerCommand = command;
        _readerOperation = operation;
        return eventData.CommandSource == CommandSource.SaveChanges ? reader : new MeteredDataReader(reader, this, operation);
    }

    /// <summary>A command failed (<paramref name="exception"/>) or was cancelled (null).</summary>
    private void Ended(DbCommand command, CommandEndEventData eventData, Exception? exception)
    {
        if (exception is not null && ReferenceEquals(exception, _countedFailure))
        {
            return;
        }
        // EF buffering a reader reports its failure here after the reader was counted as executed.
        var operation = ReferenceEquals(command, _readerCommand) ? _readerOperation! : SqlOperation.Of(command.CommandText);
        if (!ReferenceEquals(command, _readerCommand))
        {
            metrics.Executed(operation, eventData.Duration);
        }
        if (exception is not null)
        {
            _countedFailure = exception;
            metrics.Failed(operation);
        }
    }

    /// <summary>
    /// SaveChanges failed. A database error not counted yet surfaced while the batch's results were read, so it
    /// belongs to the batch whose reader was opened last.
    /// </summary>
    private void SaveFailed(Exception exception)
    {
        DbException? database = null;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (ReferenceEquals(e, _countedFailure))
            {
                return;
            }
            database ??= e as DbException;
        }
        if (database is not null && _readerOperation is { } operation)
        {
            _countedFailure = database;
            metrics.Failed(operation);
        }
    }

    private void ForgetReader()
    {
        _readerCommand = null;
        _readerOperation = null;
    }
}
