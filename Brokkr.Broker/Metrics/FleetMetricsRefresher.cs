using System.Diagnostics;
using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// Loads <see cref="FleetGauges"/> from the database with one query: at startup (before the first request, so the
/// first scrape is already true), every <c>fleet_metrics_refresh_seconds</c>, and after heartbeats of agents not yet known (with per-agent series;
/// without them after every heartbeat, as only the database counts the active agents). Heartbeats are
/// coalesced: at most one refresh runs at a time, at most one waits, and refreshes start at least
/// <see cref="MinimumGap"/> apart, so a fleet heartbeating thousands of times a minute still costs about one query a
/// second.
/// </summary>
public sealed class FleetMetricsRefresher(
    IServiceScopeFactory scopes, FleetGauges gauges, BrokerMeter meter, IOptionsMonitor<BrokerMetricsOptions> options,
    ILogger<FleetMetricsRefresher> logger)
    : BackgroundService
{
    private static readonly TimeSpan MinimumGap = TimeSpan.FromSeconds(1);

    // Live stacks, and live objects of live stacks: a deleted stack's deletion marker (written live by the
    // stack_soft_delete trigger) is history, not fleet content. deployment_objects_latest indexes exactly the live
    // objects by stack_id, so the count is an index-only scan joined to the stacks table.
    private const string Counts = """
        (SELECT count(*) FROM stacks WHERE deleted_at IS NULL) AS "Stacks",
        (SELECT count(*) FROM deployment_objects d JOIN stacks s ON s.id = d.stack_id
         WHERE d.deleted_at IS NULL AND s.deleted_at IS NULL) AS "DeploymentObjects"
        """;

    // The counts plus every live agent that has sent a heartbeat; the LEFT JOIN keeps the counts without agents.
    private const string WithAgents = $"""
        SELECT c."Stacks", c."DeploymentObjects", a.id AS "AgentId", a.name AS "AgentName", a.last_heartbeat AS "LastHeartbeat"
        FROM (SELECT {Counts}) c
        LEFT JOIN agents a ON a.deleted_at IS NULL AND a.last_heartbeat IS NOT NULL
        """;

    // Without per-agent series the agents are only counted, however large the fleet.
    private const string CountsOnly = $"""
        SELECT {Counts},
               (SELECT count(*) FROM agents WHERE deleted_at IS NULL AND last_heartbeat >= @cutoff) AS "ActiveAgents"
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
        var lastStart = Stopwatch.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            // Read at every wait, so a configuration reload changes the interval from the next refresh on.
            var interval = TimeSpan.FromSeconds(Math.Max(1, options.CurrentValue.FleetRefreshSeconds));
            var untilPeriodic = interval - Stopwatch.GetElapsedTime(lastStart);
            if (untilPeriodic > TimeSpan.Zero)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(untilPeriodic);
                try
                {
                    await gauges.RefreshRequests.ReadAsync(wait.Token);
                    var untilGap = MinimumGap - Stopwatch.GetElapsedTime(lastStart);
                    if (untilGap > TimeSpan.Zero)
                    {
                        await Task.Delay(untilGap, stoppingToken);
                    }
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // The interval elapsed: the periodic refresh.
                }
            }
            // Requests made before this point are answered by the refresh below, whose query starts after them.
            gauges.RefreshRequests.TryRead(out _);
            lastStart = Stopwatch.GetTimestamp();
            await RefreshAsync(stoppingToken);
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            var start = gauges.State.BeginRefresh();
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
            gauges.State.Apply(start, gauges.PerAgentSeries
                ? await LoadWithAgentsAsync(db, cancellationToken)
                : await LoadCountsAsync(db, cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Stale gauges beat a dead broker; the next refresh tries again.
            logger.LogWarning(e, "Could not refresh the fleet metrics");
        }
    }

    private static async Task<FleetSnapshot> LoadWithAgentsAsync(BrokkrDbContext db, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQueryRaw<AgentRow>(WithAgents).ToListAsync(cancellationToken);
        var agents = new List<AgentHeartbeat>(rows.Count);
        foreach (var row in rows)
        {
            if (row.AgentId is { } id)
            {
                agents.Add(new AgentHeartbeat(id, row.AgentName!, row.LastHeartbeat!.Value));
            }
        }
        return new FleetSnapshot(rows[0].Stacks, rows[0].DeploymentObjects, agents);
    }

    private async Task<FleetSnapshot> LoadCountsAsync(BrokkrDbContext db, CancellationToken cancellationToken)
    {
        var cutoff = new NpgsqlParameter("cutoff", gauges.State.ActiveCutoff());
        var row = (await db.Database.SqlQueryRaw<CountsRow>(CountsOnly, cutoff).ToListAsync(cancellationToken))[0];
        return new FleetSnapshot(row.Stacks, row.DeploymentObjects, Agents: null, row.ActiveAgents);
    }

    private sealed class AgentRow
    {
        public long Stacks { get; init; }
        public long DeploymentObjects { get; init; }
        public Guid? AgentId { get; init; }
        public string? AgentName { get; init; }
        public DateTime? LastHeartbeat { get; init; }
    }

    private sealed class CountsRow
    {
        public long Stacks { get; init; }
        public long DeploymentObjects { get; init; }
        public long ActiveAgents { get; init; }
    }
}
