using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Brokkr.Broker.Startup;

/// <summary>
/// Readiness (spec §6): a pool checkout within 750 ms plus <c>SELECT 1</c>; the verdict is cached for 2 s so a probe
/// storm does not become a query storm. Unhealthy makes <c>/readyz</c> answer 503. It goes through EF Core like every
/// other command, so <c>brokkr_database_*</c> counts it too.
/// </summary>
public sealed class DatabaseHealthCheck(IServiceScopeFactory scopes, TimeProvider time) : IHealthCheck
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
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<BrokkrDbContext>().Database.ExecuteSqlRawAsync("SELECT 1", timeout.Token);
            result = HealthCheckResult.Healthy("Ready");
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            // The exception text can name the host but never the password; keep it out of the response anyway.
            result = HealthCheckResult.Unhealthy("database unavailable");
        }

        lock (_lock)
        {
            _last = (result, time.GetUtcNow());
        }
        return result;
    }
}
