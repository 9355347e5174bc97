using Brokkr.Agent.Kubernetes;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Brokkr.Agent.Health;

/// <summary>Ready while GET /version answers (brokkr-core.md §6), asked live with a short timeout on every probe.</summary>
public sealed class KubernetesHealthCheck(Lazy<IKubernetesClient> kubernetes) : IHealthCheck
{
    public const string Name = "kubernetes";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await kubernetes.Value.GetVersionAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"Kubernetes API did not answer GET /version within {Timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is KubernetesApiException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"Kubernetes API unavailable: {e.Message}");
        }
    }
}
