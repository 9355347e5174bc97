using Brokkr.ServiceDefaults.Metrics;
using Brokkr.ServiceDefaults.Tracing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Brokkr.ServiceDefaults.Telemetry;

/// <summary>
/// The service's MeterProvider and TracerProvider. A DI singleton: the container disposes it when the host shuts
/// down, which flushes the OTLP exporters and stops listening to meters and activity sources.
/// </summary>
public sealed class TelemetryProviders : IDisposable
{
    private TelemetryProviders(MetricsSettings metrics, MeterProvider? meterProvider, PrometheusTextExporter? exporter,
        TracerProvider? tracerProvider)
    {
        MetricsSettings = metrics;
        MeterProvider = meterProvider;
        PrometheusExporter = exporter;
        TracerProvider = tracerProvider;
    }

    /// <summary>Null when metrics are disabled (Brokkr:Metrics:Enabled=false, OTEL_SDK_DISABLED, or no exporter).</summary>
    public MeterProvider? MeterProvider { get; }

    /// <summary>The exporter behind the scrape endpoint; null when Prometheus export is off.</summary>
    public PrometheusTextExporter? PrometheusExporter { get; }

    /// <summary>Null when OTEL_SDK_DISABLED=true.</summary>
    public TracerProvider? TracerProvider { get; }

    internal MetricsSettings MetricsSettings { get; }

    /// <summary>The scrape endpoint's path as mapped (normalised: leading '/', trimmed).</summary>
    public string MetricsPath => MetricsSettings.Path;

    internal static TelemetryProviders Create(IConfiguration configuration, IHostEnvironment environment)
    {
        var otel = OtelSettings.From(configuration);
        var metricsOptions = new MetricsOptions();
        configuration.GetSection(MetricsOptions.SectionName).Bind(metricsOptions);
        var metrics = MetricsSettings.From(metricsOptions);

        var resource = ResourceBuilder.CreateEmpty()
            .AddService(otel.ServiceName ?? environment.ApplicationName)
            .AddTelemetrySdk()
            .AddAttributes(otel.ResourceAttributes);

        var (meterProvider, exporter) = MetricsPipeline.Build(metrics, otel, resource);
        var tracerProvider = TracingPipeline.Build(otel, resource);
        return new TelemetryProviders(metrics, meterProvider, exporter, tracerProvider);
    }

    public void Dispose()
    {
        TracerProvider?.Dispose();
        MeterProvider?.Dispose();
    }
}
