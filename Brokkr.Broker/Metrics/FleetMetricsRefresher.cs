using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// Loads <see cref="FleetGauges"/> from the database with one query: at startup (before the first request, so the
/// first scrape is already true), every <c>fleet_metrics_refresh_seconds</c>, and when a heartbeat comes from an
/// agent the gauges do not know yet. Requests arriving while a refresh runs are coalesced into the next one.
/// </summary>
public sealed class FleetMetricsRefresher(
    IServiceScopeFactory scopes, FleetGauges gauges, BrokerMeter meter, IOptions<BrokerMetricsOptions> options,
    ILogger<FleetMetricsRefresher> logger)
    : BackgroundService
{
    private static readonly TimeSpan MinimumGap = TimeSpan.FromSeconds(1);

    // Counts of live rows plus every live agent that has ever sent a heartbeat; the LEFT JOIN keeps the counts when
    // there is no such agent.
    private const string Query = """
        SELECT c.stacks AS "Stacks", c.deployment_objects AS "DeploymentObjects",
               a.id AS "AgentId", a.name AS "AgentName", a.last_heartbeat AS "LastHeartbeat"
        FROM (SELECT (SELECT count(*) FROM stacks WHERE deleted_at IS NULL) AS stacks,
                     (SELECT count(*) FROM deployment_objects WHERE deleted_at IS NULL) AS deployment_objects) c
        LEFT JOIN agents a ON a.deleted_at IS NULL AND a.last_heartbeat IS NOT NULL
        """;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!meter.Enabled)
        {
            return;
        }
        await RefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, options.Value.FleetRefreshSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                wait.CancelAfter(interval);
                try
                {
                    await gauges.RefreshRequests.ReadAsync(wait.Token);
                    await Task.Delay(MinimumGap, stoppingToken);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // The interval elapsed: the periodic refresh.
                }
            }
            gauges.RefreshRequests.TryRead(out _);
            await RefreshAsync(stoppingToken);
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            gauges.BeginRefresh();
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
            var rows = await db.Database.SqlQueryRaw<FleetRow>(Query).ToListAsync(cancellationToken);
            gauges.Apply(rows[0].Stacks, rows[0].DeploymentObjects, rows
                .Where(r => r.AgentId is not null)
                .Select(r => new AgentHeartbeat(r.AgentId!.Value, r.AgentName!, r.LastHeartbeat!.Value)));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Stale gauges beat a dead broker; the next refresh tries again.
            logger.LogWarning(e, "Could not refresh the fleet metrics");
        }
    }

    private sealed class FleetRow
    {
        public long Stacks { get; init; }
        public long DeploymentObjects { get; init; }
        public Guid? AgentId { get; init; }
        public string? AgentName { get; init; }
        public DateTime? LastHeartbeat { get; init; }
    }
}
