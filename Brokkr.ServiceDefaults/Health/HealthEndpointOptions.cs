using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Brokkr.ServiceDefaults.Health;

/// <summary>
/// Lets a service replace the body of a health endpoint (e.g. the agent's spec'd /health document or the broker's
/// plain-text /readyz) while keeping the shared check selection and status codes:
/// <c>builder.Services.Configure&lt;HealthEndpointOptions&gt;(o =&gt; o.ResponseWriters[HealthEndpoints.Health] = ...)</c>.
/// Paths without an entry get <see cref="HealthJsonResponseWriter"/>.
/// </summary>
public sealed class HealthEndpointOptions
{
    public IDictionary<string, Func<HttpContext, HealthReport, Task>> ResponseWriters { get; } =
        new Dictionary<string, Func<HttpContext, HealthReport, Task>>(StringComparer.OrdinalIgnoreCase);
}
