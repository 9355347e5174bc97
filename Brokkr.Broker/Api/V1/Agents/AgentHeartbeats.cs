using Brokkr.Broker.Data;
using Brokkr.Broker.Metrics;

namespace Brokkr.Broker.Api.V1.Agents;

/// <summary>Records an agent's heartbeat, however it arrived: <c>POST /agents/{id}/heartbeat</c> or the agent channel.</summary>
public static class AgentHeartbeats
{
    /// <param name="report">Kubernetes reachability and probe latency, when the agent reported them.</param>
    public static async Task RecordAsync(PollingCommands commands, Guid agentId, (bool Reachable, int? LatencyMs)? report,
        BusinessMetrics metrics, FleetGauges fleet, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await commands.HeartbeatAsync(agentId, now, report);
        metrics.HeartbeatReceived();
        fleet.Heartbeat(agentId, now);
    }
}
