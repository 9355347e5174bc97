using OpenTelemetry.Resources;

namespace Brokkr.ServiceDefaults.Telemetry;

/// <summary>The resource every exported metric and span carries.</summary>
internal static class TelemetryResource
{
    private const string ServiceNameKey = "service.name";

    /// <summary>
    /// <c>service.name</c> is OTEL_SERVICE_NAME, else <c>service.name</c> from OTEL_RESOURCE_ATTRIBUTES (the
    /// specification's precedence), else the application name in the lower-case, dash-separated form services are
    /// named by in Kubernetes and Prometheus jobs: Brokkr.Broker → <c>brokkr-broker</c>, Brokkr.Agent →
    /// <c>brokkr-agent</c>. Every other resource attribute from OTEL_RESOURCE_ATTRIBUTES (service.instance.id
    /// included) wins over the SDK's defaults.
    /// </summary>
    public static ResourceBuilder Create(OtelSettings otel, string applicationName)
    {
        var serviceName = otel.ServiceName
            ?? otel.ResourceAttributes.LastOrDefault(a => a.Key == ServiceNameKey).Value as string
            ?? DefaultServiceName(applicationName);
        return ResourceBuilder.CreateEmpty()
            .AddService(serviceName)
            .AddTelemetrySdk()
            .AddAttributes(otel.ResourceAttributes.Where(a => a.Key != ServiceNameKey));
    }

    public static string DefaultServiceName(string applicationName) =>
        string.Join('-', applicationName.ToLowerInvariant().Split(['.', '_', ' '], StringSplitOptions.RemoveEmptyEntries));
}
