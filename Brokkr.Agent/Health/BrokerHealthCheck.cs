using Brokkr.Agent.Runtime;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Brokkr.Agent.Health;

/// <summary>Ready while the last heartbeat reached the broker; from the loop's state, so probes add no broker load.</summary>
public sealed class BrokerHealthCheck(AgentRuntimeState state) : IHealthCheck
{
    public const string Name = "broker";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var broker = state.Broker;
        return Task.FromResult(broker.Connected
            ? HealthCheckResult.Healthy($"last heartbeat {broker.LastHeartbeat:O}")
            : HealthCheckResult.Unhealthy(broker.Error ?? "broker not reachable"));
    }
}
