using Brokkr.Broker.Data;
using Brokkr.Broker.Metrics;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Agents;

/// <summary>Records an agent's heartbeat, however it arrived: <c>POST /agents/{id}/heartbeat</c> or the agent channel.</summary>
public static class AgentHeartbeats
{
    /// <param name="report">Kubernetes reachability and probe latency, when the agent reported them.</param>
    public static async Task RecordAsync(PollingDbContext db, Guid agentId, (bool Reachable, int? LatencyMs)? report,
        BusinessMetrics metrics, FleetGauges fleet, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (report is { Reachable: var reachable, LatencyMs: var latency })
        {
            await db.Agents.Where(a => a.Id == agentId).ExecuteUpdateAsync(set => set
                .SetProperty(a => a.LastHeartbeat, now)
                .SetProperty(a => a.K8sReachable, reachable)
                .SetProperty(a => a.K8sApiLatencyMs, latency)
                .SetProperty(a => a.K8sReportedAt, now));
        }
        else
        {
            await db.Agents.Where(a => a.Id == agentId).ExecuteUpdateAsync(set => set.SetProperty(a => a.LastHeartbeat, now));
        }
        metrics.HeartbeatReceived();
        fleet.Heartbeat(agentId, now);
    }
}
