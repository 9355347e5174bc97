using Brokkr.ServiceDefaults.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Brokkr.Broker.Startup;

/// <summary>
/// Upstream's probe bodies (spec §6): <c>/healthz</c> answers <c>OK</c>, <c>/readyz</c> <c>Ready</c> or
/// <c>database unavailable</c> as plain text, so scripts and agents written against upstream read the same words.
/// The status codes (200/503) and Aspire's JSON <c>/health</c> and <c>/alive</c> stay ServiceDefaults'.
/// </summary>
public static class BrokerHealthResponses
{
    public static IServiceCollection AddBrokerHealthResponses(this IServiceCollection services) =>
        services.Configure<HealthEndpointOptions>(o =>
        {
            o.ResponseWriters[HealthEndpoints.Healthz] = (context, report) => Text(context, report, "OK", "unhealthy");
            o.ResponseWriters[HealthEndpoints.Readyz] = (context, report) => Text(context, report, "Ready", "database unavailable");
        });

    private static Task Text(HttpContext context, HealthReport report, string healthy, string unhealthy)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(report.Status == HealthStatus.Unhealthy ? unhealthy : healthy);
    }
}
