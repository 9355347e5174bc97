using Brokkr.Broker.Configuration;
using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Startup;

/// <summary>
/// Spec §1.5: hourly hard delete of agent events older than <c>broker.agent_events_retention_days</c> (0 disables).
/// Runs one statement in PostgreSQL; a failed run is logged and retried at the next tick.
/// </summary>
public sealed class AgentEventRetention(IServiceScopeFactory scopes, IOptions<BrokerOptions> options, ILogger<AgentEventRetention> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var days = options.Value.AgentEventsRetentionDays;
        if (days <= 0)
        {
            return;
        }
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
                var cutoff = DateTime.UtcNow.AddDays(-days);
                var removed = await db.AgentEvents.Where(e => e.CreatedAt < cutoff).ExecuteDeleteAsync(stoppingToken);
                if (removed > 0)
                {
                    logger.LogInformation("Removed {Count} agent events older than {Days} days", removed, days);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Agent event retention run failed; retrying in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
