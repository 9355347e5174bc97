using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Brokkr.Broker.Startup;

/// <summary>
/// Readiness (spec §6): a pool checkout within 750 ms plus <c>SELECT 1</c>; the verdict is cached for 2 s so a probe
/// storm does not become a query storm. Unhealthy makes <c>/readyz</c> answer 503. It goes through EF Core like every
/// other command, so <c>brokkr_database_*</c> counts it too.
/// </summary>
public sealed partial class DatabaseHealthCheck(
    IServiceScopeFactory scopes, TimeProvider time, DatabaseOutage outage, ILogger<DatabaseHealthCheck> logger) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(750);
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);
    private readonly Lock _lock = new();
    private (HealthCheckResult Result, DateTimeOffset At)? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_last is { } last && time.GetUtcNow() - last.At < CacheFor)
            {
                return last.Result;
            }
        }

        HealthCheckResult result;
        Exception? failure = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<BrokkrDbContext>().Database.ExecuteSqlRawAsync("SELECT 1", timeout.Token);
            result = HealthCheckResult.Healthy("Ready");
            outage.Recovered();
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            // The exception text can name the host but never the password; keep it out of the response anyway.
            result = HealthCheckResult.Unhealthy("database unavailable");
            failure = e;
        }

        HealthStatus? previous;
        lock (_lock)
        {
            previous = _last?.Result.Status;
            _last = (result, time.GetUtcNow());
        }
        LogChange(previous, result, failure, cancellationToken);
        return result;
    }

    /// <summary>Readiness changes are logged with their cause: a probe's 503 alone never says why.</summary>
    private void LogChange(HealthStatus? previous, HealthCheckResult result, Exception? failure, CancellationToken probe)
    {
        if (result.Status == HealthStatus.Healthy)
        {
            if (previous is HealthStatus.Unhealthy)
            {
                LogReady(logger);
            }
        }
        else if (previous is not HealthStatus.Unhealthy)
        {
            var reason = failure switch
            {
                OperationCanceledException when !probe.IsCancellationRequested => $"no answer within {Timeout.TotalMilliseconds:0} ms",
                OperationCanceledException => "the probe gave up first",
                { } e => DatabaseOutage.Reason(e),
                null => "unknown",
            };
            LogNotReady(logger, reason);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Not ready: the database check failed ({Reason})")]
    private static partial void LogNotReady(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Information, "Ready again: the database answers")]
    private static partial void LogReady(ILogger logger);
}
