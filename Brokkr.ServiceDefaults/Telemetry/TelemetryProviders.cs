using System.Diagnostics.Metrics;
using Brokkr.ServiceDefaults.Metrics;
using Brokkr.ServiceDefaults.Tracing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Metrics;
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

    internal static TelemetryProviders Create(IServiceProvider services)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var environment = services.GetRequiredService<IHostEnvironment>();
        var loggers = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var otel = OtelSettings.From(configuration);
        var metrics = MetricsSettings.From(configuration.GetSection(MetricsOptions.SectionName));

        var logger = loggers.CreateLogger<TelemetryProviders>();
        foreach (var warning in otel.Warnings)
        {
            logger.LogWarning("{Warning}", warning);
        }

        var resource = TelemetryResource.Create(otel, environment.ApplicationName);

        var (meterProvider, exporter) = MetricsPipeline.Build(metrics, otel, resource, loggers.CreateLogger<PrometheusTextExporter>(),
            services.GetService<IMeterFactory>());
        var tracerProvider = TracingPipeline.Build(otel, resource);
        return new TelemetryProviders(metrics, meterProvider, exporter, tracerProvider);
    }

    public void Dispose()
    {
        TracerProvider?.Dispose();
        MeterProvider?.Dispose();
    }
}
