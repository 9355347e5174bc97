using System.Globalization;
using Microsoft.Extensions.Configuration;
using Brokkr.ServiceDefaults.Tracing;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace Brokkr.ServiceDefaults.Telemetry;

/// <summary>
/// The standard OTEL_* variables, read from IConfiguration (which includes the environment) so that tests and
/// configuration files can set them too. Unset values keep the SDK defaults.
/// </summary>
internal sealed record OtelSettings(
    bool SdkDisabled,
    string? ServiceName,
    IReadOnlyList<KeyValuePair<string, object>> ResourceAttributes,
    IReadOnlySet<string> MetricsExporters,
    IReadOnlySet<string> TracesExporters,
    string? OtlpEndpoint,
    string? OtlpMetricsEndpoint,
    string? OtlpTracesEndpoint,
    OtlpExportProtocol Protocol,
    string? OtlpHeaders,
    int? OtlpTimeoutMilliseconds,
    int? MetricExportIntervalMilliseconds,
    int? MetricExportTimeoutMilliseconds,
    int? SpanExportDelayMilliseconds,
    Sampler Sampler,
    IReadOnlyList<string> Warnings)
{
    public const string Prometheus = "prometheus";
    public const string Otlp = "otlp";

    public static OtelSettings From(IConfiguration configuration)
    {
        string? Value(string key) => configuration[key] is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        int? Milliseconds(string key) =>
            int.TryParse(Value(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms > 0 ? ms : null;

        var warnings = new List<string>();
        var endpoint = Value("OTEL_EXPORTER_OTLP_ENDPOINT");
        var metricsEndpoint = Value("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
        var tracesEndpoint = Value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        return new OtelSettings(
            SdkDisabled: string.Equals(Value("OTEL_SDK_DISABLED"), "true", StringComparison.OrdinalIgnoreCase),
            ServiceName: Value("OTEL_SERVICE_NAME"),
            ResourceAttributes: ParseResourceAttributes(Value("OTEL_RESOURCE_ATTRIBUTES")),
            MetricsExporters: Exporters(Value("OTEL_METRICS_EXPORTER"), endpoint ?? metricsEndpoint, Prometheus),
            TracesExporters: Exporters(Value("OTEL_TRACES_EXPORTER"), endpoint ?? tracesEndpoint),
            OtlpEndpoint: endpoint,
            OtlpMetricsEndpoint: metricsEndpoint,
            OtlpTracesEndpoint: tracesEndpoint,
            Protocol: ParseProtocol(Value("OTEL_EXPORTER_OTLP_PROTOCOL"), warnings),
            OtlpHeaders: Value("OTEL_EXPORTER_OTLP_HEADERS"),
            OtlpTimeoutMilliseconds: Milliseconds("OTEL_EXPORTER_OTLP_TIMEOUT"),
            MetricExportIntervalMilliseconds: Milliseconds("OTEL_METRIC_EXPORT_INTERVAL"),
            MetricExportTimeoutMilliseconds: Milliseconds("OTEL_METRIC_EXPORT_TIMEOUT"),
            SpanExportDelayMilliseconds: Milliseconds("OTEL_BSP_SCHEDULE_DELAY"),
            Sampler: TraceSamplers.From(Value("OTEL_TRACES_SAMPLER"), Value("OTEL_TRACES_SAMPLER_ARG"), warnings),
            Warnings: warnings);
    }

    /// <summary>
    /// OTEL_*_EXPORTER lists exporters ("prometheus,otlp", "none"). Unset: the defaults plus OTLP when an endpoint
    /// is configured — the Aspire behaviour, so a bare OTEL_EXPORTER_OTLP_ENDPOINT turns pushing on.
    /// </summary>
    private static HashSet<string> Exporters(string? configured, string? otlpEndpoint, params string[] defaults)
    {
        var exporters = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (configured is not null)
        {
            exporters.UnionWith(configured.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            exporters.Remove("none");
            return exporters;
        }

        exporters.UnionWith(defaults);
        if (otlpEndpoint is not null)
        {
            exporters.Add(Otlp);
        }

        return exporters;
    }

    /// <summary>
    /// The .NET OTLP exporter has no JSON encoding, so http/json — a valid value another SDK's configuration may carry
    /// over — is sent as http/protobuf to the same endpoints (every OTLP/HTTP receiver accepts both) with a warning.
    /// </summary>
    private static OtlpExportProtocol ParseProtocol(string? protocol, List<string> warnings)
    {
        switch (protocol?.ToLowerInvariant())
        {
            case "http/protobuf":
                return OtlpExportProtocol.HttpProtobuf;
            case "grpc" or null:
                return OtlpExportProtocol.Grpc;
            case "http/json":
                warnings.Add("OTEL_EXPORTER_OTLP_PROTOCOL 'http/json' is not supported by the .NET OTLP exporter; " +
                    "exporting with 'http/protobuf' to the same endpoints instead.");
                return OtlpExportProtocol.HttpProtobuf;
            default:
                throw new InvalidOperationException(
                    $"OTEL_EXPORTER_OTLP_PROTOCOL '{protocol}' is not supported; use 'grpc' or 'http/protobuf'.");
        }
    }

    private static List<KeyValuePair<string, object>> ParseResourceAttributes(string? text)
    {
        var attributes = new List<KeyValuePair<string, object>>();
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=');
            if (equals > 0)
            {
                attributes.Add(new(Uri.UnescapeDataString(pair[..equals].Trim()), Uri.UnescapeDataString(pair[(equals + 1)..].Trim())));
            }
        }

        return attributes;
    }

    /// <summary>
    /// The endpoint for one signal. A signal-specific variable is used as given; the general one gets the signal path
    /// appended for http/protobuf, as the OTLP exporter specification prescribes for environment configuration.
    /// </summary>
    public Uri SignalEndpoint(string? signalEndpoint, string signalPath)
    {
        if (signalEndpoint is not null)
        {
            return new Uri(signalEndpoint);
        }

        var endpoint = OtlpEndpoint ?? (Protocol == OtlpExportProtocol.Grpc ? "http://localhost:4317" : "http://localhost:4318");
        return Protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(endpoint.TrimEnd('/') + signalPath) : new Uri(endpoint);
    }

    public void ConfigureOtlp(OtlpExporterOptions options, string? signalEndpoint, string signalPath)
    {
        options.Protocol = Protocol;
        options.Endpoint = SignalEndpoint(signalEndpoint, signalPath);
        if (OtlpHeaders is not null)
        {
            options.Headers = OtlpHeaders;
        }

        if (OtlpTimeoutMilliseconds is { } timeout)
        {
            options.TimeoutMilliseconds = timeout;
        }
    }
}
