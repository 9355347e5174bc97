using Microsoft.Extensions.Configuration;
using OpenTelemetry.Resources;

namespace Brokkr.ServiceDefaults.Telemetry;

/// <summary>What the SDK's resource lacks for Brokkr: a default service name, and the configured global labels.</summary>
internal static class TelemetryResource
{
    /// <summary>
    /// Without OTEL_SERVICE_NAME, or <c>service.name</c> in OTEL_RESOURCE_ATTRIBUTES (both read by the SDK, with the
    /// specification's precedence), the service is named after its application in the lower-case, dash-separated
    /// form services have in Kubernetes and Prometheus jobs: Brokkr.Broker → <c>brokkr-broker</c>. The global labels
    /// become resource attributes, which the Prometheus exporter copies onto every series and OTLP carries as they are.
    /// </summary>
    public static void Configure(ResourceBuilder resource, IConfiguration configuration, string applicationName,
        IReadOnlyList<KeyValuePair<string, string>> globalLabels)
    {
        var attributes = configuration["OTEL_RESOURCE_ATTRIBUTES"] ?? "";
        var named = !string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"])
            || attributes.Split(',').Any(pair => pair.Split('=')[0].Trim() == "service.name");
        if (!named)
        {
            resource.AddService(DefaultServiceName(applicationName));
        }

        resource.AddAttributes(globalLabels.Select(label => new KeyValuePair<string, object>(label.Key, label.Value)));
    }

    public static string DefaultServiceName(string applicationName) =>
        string.Join('-', applicationName.ToLowerInvariant().Split(['.', '_', ' '], StringSplitOptions.RemoveEmptyEntries));
}
