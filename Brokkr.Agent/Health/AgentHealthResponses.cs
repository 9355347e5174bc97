using Brokkr.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Brokkr.Agent.Health;

/// <summary>
/// The agent's probe bodies (brokkr-core.md §6): <c>/healthz</c> <c>OK</c>; <c>/readyz</c> <c>Ready</c>, or
/// <c>Kubernetes API unavailable</c> — and <c>broker unavailable</c> when only the broker check fails, which issue 6
/// adds to upstream's Kubernetes-only readiness; <c>/health</c> the <see cref="AgentHealthDocument"/>. The checks and
/// status codes stay ServiceDefaults'.
/// </summary>
public static class AgentHealthResponses
{
    public static IServiceCollection AddAgentHealthResponses(this IServiceCollection services) =>
        services.Configure<HealthEndpointOptions>(o =>
        {
            o.ResponseWriters[HealthEndpoints.Healthz] = HealthTextResponseWriter.For("OK", "unhealthy");
            o.ResponseWriters[HealthEndpoints.Readyz] = HealthTextResponseWriter.For("Ready", report =>
                report.Entries.GetValueOrDefault(KubernetesHealthCheck.Name).Status == HealthStatus.Healthy
                    ? "broker unavailable" : "Kubernetes API unavailable");
            o.ResponseWriters[HealthEndpoints.Health] = AgentHealthDocument.WriteAsync;
        });
}
