using Brokkr.Broker.Metrics;
using Npgsql;

namespace Brokkr.Broker.Errors;

/// <summary>
/// Tells an unreachable database from every other failure, and logs an outage once when it begins and once when it
/// ends — not once per request, which buried the one line that mattered under hundreds of stack traces. While it
/// lasts, API requests get 503 <c>database_unavailable</c> with <c>Retry-After</c> (<see cref="ErrorMappingMiddleware"/>)
/// and <c>/readyz</c> 503; when it begins a probe starts checking, once a second, for the database to come back.
/// </summary>
public sealed partial class DatabaseOutage(
    NpgsqlDataSource dataSource, DatabaseMetrics metrics, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<DatabaseOutage> logger)
{
    /// <summary>What clients are told to wait before retrying, in seconds.</summary>
    public const int RetryAfterSeconds = 5;

    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private DateTimeOffset? _since;

    public bool InProgress
    {
        get
        {
            lock (_lock)
            {
                return _since is not null;
            }
        }
    }

    /// <summary>
    /// True when <paramref name="exception"/> says the database cannot be reached or will not serve now (connection
    /// refused or dropped, a timeout, a server shutting down or out of connections) rather than that it refused this
    /// request's data.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException postgres:
                    // 08: connection exception; 57P01-03: shutting down, crashed, starting up; 53300: too many connections.
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal) ||
                           postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                               or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections;
                case NpgsqlException { IsTransient: true }:
                case TimeoutException:
                    return true;
            }
        }
        return false;
    }

    /// <summary>Records a failure that <see cref="IsUnavailable"/> classified; logs only the first of an outage.</summary>
    public void Report(Exception exception)
    {
        lock (_lock)
        {
            if (_since is not null)
            {
                return;
            }
            _since = time.GetUtcNow();
        }
        // The message names the host at most; connection strings and passwords are not in Npgsql's exception texts.
        LogBegan(logger, Reason(exception));
        _ = Task.Run(ProbeUntilBackAsync);
    }

    /// <summary>Records that the database answered; logs the end of an outage.</summary>
    public void Recovered()
    {
        DateTimeOffset since;
        lock (_lock)
        {
            if (_since is not { } started)
            {
                return;
            }
            since = started;
            _since = null;
        }
        LogEnded(logger, (time.GetUtcNow() - since).TotalSeconds);
    }

    public static string Reason(Exception exception)
    {
        var innermost = exception;
        while (innermost.InnerException is not null && innermost is not PostgresException)
        {
            innermost = innermost.InnerException;
        }
        return innermost is PostgresException postgres ? $"{postgres.SqlState}: {postgres.MessageText}" : innermost.Message;
    }

    private async Task ProbeUntilBackAsync()
    {
        var stopping = lifetime.ApplicationStopping;
        while (InProgress && !stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(ProbeInterval, time, stopping);
                await using var connection = await dataSource.OpenConnectionAsync(stopping);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(metrics, stopping);
                Recovered();
            }
            catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                // Still down (or refusing us); the outage was logged when it began.
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "The database is unavailable ({Reason}); API requests get 503 database_unavailable until it is back")]
    private static partial void LogBegan(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Warning, "The database is reachable again after {Seconds:0.0} s of outage")]
    private static partial void LogEnded(ILogger logger, double seconds);
}
