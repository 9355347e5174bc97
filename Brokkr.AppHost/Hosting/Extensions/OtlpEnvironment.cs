using Microsoft.Extensions.Configuration;

namespace Brokkr.AppHost.Hosting;

/// <summary>The OpenTelemetry variables Aspire gives every project (aspire-conventions §3).</summary>
internal static class OtlpEnvironment
{
    private const string Grpc = "grpc";
    private const string HttpProtobuf = "http/protobuf";

    /// <summary>Both modes: the manifest carries these too.</summary>
    public static void AddExporterDefaults(Dictionary<string, object> env)
    {
        env["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true";
        env["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES"] = "true";
        env["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory";
    }

    /// <summary>Run mode: where to export, who the service is, and in Development quick export and full sampling.</summary>
    public static void AddRunModeSettings(Dictionary<string, object> env, string serviceName, string instanceId, IConfiguration configuration,
        DistributedApplicationEnvironment environment)
    {
        if (Endpoint(configuration) is { } endpoint)
        {
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint.Url;
            env["OTEL_EXPORTER_OTLP_PROTOCOL"] = endpoint.Protocol;
        }

        if (configuration["AppHost:OtlpApiKey"] is { Length: > 0 } apiKey)
        {
            env["OTEL_EXPORTER_OTLP_HEADERS"] = $"x-otlp-api-key={apiKey}";
        }

        env["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={instanceId}";
        env["OTEL_SERVICE_NAME"] = serviceName;
        if (environment.IsDevelopment())
        {
            // Telemetry shows up within a second instead of the SDK defaults' 5 s to 60 s, every trace is kept.
            env["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
            env["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
            env["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
            env["OTEL_TRACES_SAMPLER"] = "always_on";
            env["OTEL_METRICS_EXEMPLAR_FILTER"] = "trace_based";
            env["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "true";
        }
    }

    /// <summary>
    /// The dashboard's OTLP endpoint from the AppHost's configuration, as Aspire reads it: the gRPC one when set (each
    /// under its current name, else the legacy <c>DOTNET_</c> one), else the HTTP one with <c>http/protobuf</c>. Aspire
    /// falls back to its dashboard at http://localhost:18889; no dashboard runs here, and a set endpoint turns the
    /// services' OTLP export on, so without configuration there is none.
    /// </summary>
    public static (string Url, string Protocol)? Endpoint(IConfiguration configuration)
    {
        if (First(configuration, "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "DOTNET_DASHBOARD_OTLP_ENDPOINT_URL") is { } grpc)
        {
            return (grpc, Grpc);
        }

        return First(configuration, "ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", "DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL") is { } http
            ? (http, HttpProtobuf)
            : null;
    }

    private static string? First(IConfiguration configuration, params string[] keys) =>
        keys.Select(key => configuration[key]).FirstOrDefault(value => !string.IsNullOrWhiteSpace(value));
}
