using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Brokkr.ServiceDefaults.Health;

/// <summary>
/// Kubernetes probes (/healthz, /readyz) and Aspire's names (/alive, /health). Unlike Aspire's template they are
/// mapped in every environment — Kubernetes probes them in production — and never require authentication.
/// Healthy and degraded answer 200, unhealthy 503.
/// </summary>
public static class HealthEndpoints
{
    public const string Healthz = "/healthz";
    public const string Alive = "/alive";
    public const string Readyz = "/readyz";
    public const string Health = "/health";

    public static readonly IReadOnlyList<string> Paths = [Healthz, Alive, Readyz, Health];

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<HealthEndpointOptions>>().Value;
        foreach (var path in Paths)
        {
            var livenessOnly = path is Healthz or Alive;
            endpoints.MapHealthChecks(path, new HealthCheckOptions
                {
                    Predicate = livenessOnly ? check => check.Tags.Contains(HealthTags.Live) : _ => true,
                    ResponseWriter = options.ResponseWriters.TryGetValue(path, out var writer) ? writer : HealthJsonResponseWriter.WriteAsync,
                })
                .AllowAnonymous();
        }

        return endpoints;
    }
}
