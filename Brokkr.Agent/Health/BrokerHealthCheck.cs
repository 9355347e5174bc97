using Brokkr.Agent.Runtime;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Brokkr.Agent.Health;

/// <summary>
/// Ready once startup found the agent's record and while the last heartbeat reached the broker; from the loop's
/// state, so probes add no broker load.
/// </summary>
public sealed class BrokerHealthCheck(AgentRuntimeState state) : IHealthCheck
{
    public const string Name = "broker";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var broker = state.Broker;
        return Task.FromResult(state.Self is null ? HealthCheckResult.Unhealthy("starting: the agent's own record is not read yet")
            : broker.Connected ? HealthCheckResult.Healthy($"last heartbeat {broker.LastHeartbeat:O}")
            : HealthCheckResult.Unhealthy(broker.Error ?? "broker not reachable"));
    }
}
