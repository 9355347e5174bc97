using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Brokkr.ServiceDefaults.Health;

/// <summary>
/// Plain-text probe bodies, for services that answer with upstream Brokkr's words (<c>OK</c>, <c>Ready</c>, a short
/// reason when unhealthy) instead of the JSON of <see cref="HealthJsonResponseWriter"/>. Register one per path in
/// <see cref="HealthEndpointOptions.ResponseWriters"/>; the status codes stay the shared ones.
/// </summary>
public static class HealthTextResponseWriter
{
    public static Func<HttpContext, HealthReport, Task> For(string healthy, string unhealthy) => For(healthy, _ => unhealthy);

    /// <param name="unhealthy">The body when the report is unhealthy, e.g. naming the check that failed.</param>
    public static Func<HttpContext, HealthReport, Task> For(string healthy, Func<HealthReport, string> unhealthy) =>
        (context, report) =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(report.Status == HealthStatus.Unhealthy ? unhealthy(report) : healthy);
        };
}
