using Brokkr.Agent.Configuration;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Runtime;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Brokkr.Agent.Health;

/// <summary>
/// Kubernetes reachability for /readyz and /health (brokkr-core.md §6: GET /version). Kubelet probes come every few
/// seconds, so the answer is the reachability the heartbeat measured while that is younger than two polling
/// intervals; only a stale or missing measurement is probed, uncounted (probes must not move the metrics of the
/// agent's Kubernetes operations), and remembered for the next probes.
/// </summary>
public sealed class KubernetesHealthCheck(Lazy<IKubernetesClient> kubernetes, AgentRuntimeState state, AgentSettings settings,
    TimeProvider time) : IHealthCheck
{
    public const string Name = "kubernetes";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public TimeSpan FreshFor => settings.PollingInterval * 2;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var contact = state.Kubernetes;
        if (contact.CheckedAt is not { } checkedAt || time.GetUtcNow() - checkedAt >= FreshFor)
        {
            contact = await ProbeAsync(cancellationToken);
        }

        return contact.Connected
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"Kubernetes API unavailable: {contact.Error}");
    }

    private async Task<KubernetesContact> ProbeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await kubernetes.Value.ProbeAsync(timeout.Token);
            state.KubernetesReachable();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            state.KubernetesUnreachable($"GET /version did not answer within {Timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is KubernetesApiException or InvalidOperationException)
        {
            state.KubernetesUnreachable(e.Message);
        }

        return state.Kubernetes;
    }
}
