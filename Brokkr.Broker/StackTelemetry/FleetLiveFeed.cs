using Brokkr.Broker.Api.V1.Fleet;
using Brokkr.Broker.Data;
using Brokkr.Wire;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.StackTelemetry;

/// <summary>
/// Feeds <c>/fleet/live</c>: while this replica has fleet subscribers, every <c>fleet_live_interval_seconds</c> it reads
/// the fleet view (<see cref="FleetQuery"/>, one statement) and pushes a <c>fleet_update</c> for each agent whose
/// measured signals changed since the last sweep (ages alone, which move every second, do not count). Reading the
/// database rather than listening for local events is what makes it replica-safe: a heartbeat taken by any replica
/// reaches subscribers on all of them within one interval. The first sweep after the stream goes from no subscribers
/// to some only primes (consumers take <c>GET /fleet</c> as the baseline, as upstream's do).
/// </summary>
public sealed class FleetLiveFeed(LiveHub hub, IServiceScopeFactory scopes, IOptionsMonitor<FleetLiveOptions> options, ILogger<FleetLiveFeed> logger)
    : Startup.PeriodicMaintenance(() => TimeSpan.FromSeconds(options.CurrentValue.IntervalSeconds), logger, "Fleet live sweep")
{
    private Dictionary<Guid, FleetAgentRecord>? _last;

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!hub.HasFleetSubscribers)
        {
            _last = null;
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
        var records = await FleetQuery.LoadAsync(db, agentId: null, generatorId: null, cancellationToken);
        var current = records.ToDictionary(r => r.AgentId, Measured);
        if (_last is { } last)
        {
            foreach (var record in records.Where(r => !last.TryGetValue(r.AgentId, out var before) || before != current[r.AgentId]))
            {
                hub.PublishToFleet(new FleetUpdateMessage(new WireFleetAgentRecord(record.AgentId, record.Name, record.ClusterName,
                    record.Status, record.WsConnected, record.ConnectedSince, record.LastHeartbeat, record.HeartbeatAgeSeconds,
                    record.PendingObjectCount, record.PendingWorkOrders, record.ClaimedWorkOrders, record.LastEventAt,
                    record.SecondsSinceLastEvent, record.HealthFailing, record.HealthDegraded, record.K8sReachable, record.K8sApiLatencyMs)));
            }
        }
        _last = current;
    }

    private static FleetAgentRecord Measured(FleetAgentRecord r) => r with { HeartbeatAgeSeconds = null, SecondsSinceLastEvent = null };
}

/// <summary>The fleet live stream's setting of section <c>Brokkr:Broker</c>.</summary>
public sealed class FleetLiveOptions
{
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("fleet_live_interval_seconds")]
    public int IntervalSeconds { get; set; } = 5;
}
