using System.Diagnostics;
using Brokkr.Agent.Broker;
using Brokkr.Agent.Channel;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Metrics;

namespace Brokkr.Agent.Runtime;

/// <summary>
/// brokkr-core.md §7.3: time GET /version, report reachability and latency with the heartbeat, then re-read the
/// agent's own record so a status change by the admin applies within one interval. The heartbeat itself goes over the
/// channel when it is up (<see cref="BrokerUplink"/>); the record is always read over REST.
/// </summary>
public sealed class HeartbeatSender(BrokerClient broker, BrokerUplink uplink, Lazy<IKubernetesClient> kubernetes, AgentRuntimeState state,
    AgentMetrics metrics, ILogger<HeartbeatSender> log)
{
    /// <summary>Sends one heartbeat; false when the broker could not be reached (the loop then backs off).</summary>
    public async Task<bool> SendAsync(Guid agentId, CancellationToken cancellationToken)
    {
        var report = await ProbeKubernetesAsync(cancellationToken);
        metrics.OnHeartbeatAttempt();
        try
        {
            await uplink.SendHeartbeatAsync(agentId, report, cancellationToken);
            state.HeartbeatSucceeded();
            state.Self = await broker.GetAgentAsync(agentId, cancellationToken);
            return true;
        }
        catch (BrokerUnreachableException e)
        {
            state.BrokerFailed(e.Message);
            log.LogWarning("Heartbeat failed: {Error}", e.Message);
            return false;
        }
        catch (BrokerApiException e)
        {
            // Reachable but refusing (PAK rotated, agent deleted): keep running and keep trying at the normal pace.
            state.BrokerFailed(e.Message);
            log.LogError("Heartbeat refused: {Error}", e.Message);
            return true;
        }
    }

    private async Task<HeartbeatReport> ProbeKubernetesAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await kubernetes.Value.GetVersionAsync(cancellationToken);
            state.KubernetesReachable();
            return new HeartbeatReport(true, (int)Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        }
        catch (KubernetesApiException e)
        {
            state.KubernetesUnreachable(e.Message);
            log.LogWarning("Kubernetes API unreachable: {Error}", e.Message);
            return new HeartbeatReport(false, null);
        }
    }
}
