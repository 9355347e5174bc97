using Brokkr.ServiceDefaults.Health;

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
            o.ResponseWriters[HealthEndpoints.Healthz] = HealthTextResponseWriter.For("OK", "unhealthy");
            o.ResponseWriters[HealthEndpoints.Readyz] = HealthTextResponseWriter.For("Ready", "database unavailable");
        });
}
