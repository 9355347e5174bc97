using System.Diagnostics.Metrics;
using Brokkr.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>Builds the MeterProvider: Brokkr and .NET meters, bucket views, the Prometheus reader, OTLP push.</summary>
internal static class MetricsPipeline
{
    /// <summary>The service's own meters (a trailing '*' matches any rest of the name).</summary>
    public static readonly string[] OwnMeters = ["Brokkr.*"];

    /// <summary>Meters every service exports: its own and the .NET built-ins a Prometheus user expects.</summary>
    public static readonly string[] Meters =
    [
        .. OwnMeters,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "System.Runtime",
        "System.Net.Http",
        "Npgsql",
        "Microsoft.EntityFrameworkCore",
    ];

    /// <param name="hostMeters">The host's meter factory: own meters another host's factory created are not this host's.</param>
    public static (MeterProvider? Provider, PrometheusTextExporter? Exporter) Build(
        MetricsSettings settings, OtelSettings otel, ResourceBuilder resource, ILogger exporterLogger, IMeterFactory? hostMeters)
    {
        var prometheus = otel.MetricsExporters.Contains(OtelSettings.Prometheus);
        var otlp = otel.MetricsExporters.Contains(OtelSettings.Otlp);
        if (!settings.Enabled || otel.SdkDisabled || (!prometheus && !otlp))
        {
            return (null, null);
        }

        var builder = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(Meters)
            .AddView(instrument => BelongsToAnotherHost(instrument, hostMeters) ? MetricStreamConfiguration.Drop : StreamView(instrument, settings));

        PrometheusTextExporter? exporter = null;
        if (prometheus)
        {
            exporter = new PrometheusTextExporter(new PrometheusExporterOptions
            {
                GlobalLabels = settings.GlobalLabels,
                IncludeProcessMetrics = settings.IncludeProcessMetrics,
                Logger = exporterLogger,
                DescribeBeforeFirstPoint = instrument => IsOwn(instrument.Meter) && !BelongsToAnotherHost(instrument, hostMeters),
            });
            builder.AddReader(new BaseExportingMetricReader(exporter));
        }

        if (otlp)
        {
            builder.AddOtlpExporter((exporterOptions, readerOptions) =>
            {
                otel.ConfigureOtlp(exporterOptions, otel.OtlpMetricsEndpoint, "/v1/metrics");
                var periodic = readerOptions.PeriodicExportingMetricReaderOptions;
                periodic.ExportIntervalMilliseconds = otel.MetricExportIntervalMilliseconds ?? periodic.ExportIntervalMilliseconds;
                periodic.ExportTimeoutMilliseconds = otel.MetricExportTimeoutMilliseconds ?? periodic.ExportTimeoutMilliseconds;
            });
        }

        return (builder.Build(), exporter);
    }

    /// <summary>
    /// Whether an instrument of the service's own meters was created through another host's <see cref="IMeterFactory"/>.
    /// Meter listeners are process-wide, so without this every host in a process (tests, benchmarks) would record
    /// and expose the others' Brokkr instruments; built-in meters keep their process-wide behaviour.
    /// </summary>
    public static bool BelongsToAnotherHost(Instrument instrument, IMeterFactory? hostMeters) =>
        IsOwn(instrument.Meter) && instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, hostMeters);

    public static bool IsOwn(Meter meter) => OwnMeters.Any(pattern => pattern.EndsWith('*')
        ? meter.Name.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase)
        : string.Equals(meter.Name, pattern, StringComparison.OrdinalIgnoreCase));

    /// <summary>The configured buckets and cardinality limit of one instrument's stream; null keeps the SDK's defaults.</summary>
    public static MetricStreamConfiguration? StreamView(Instrument instrument, MetricsSettings settings)
    {
        var view = BucketView(instrument, settings.Buckets);
        if (settings.CardinalityLimit is not { } limit)
        {
            return view;
        }

        // A plain stream configuration keeps a histogram's advised buckets; only the limit changes.
        view ??= new MetricStreamConfiguration();
        view.CardinalityLimit = limit;
        return view;
    }

    /// <summary>A view giving a histogram the configured buckets, matched by Prometheus family or instrument name.</summary>
    public static MetricStreamConfiguration? BucketView(Instrument instrument, IReadOnlyDictionary<string, double[]> buckets)
    {
        if (buckets.Count == 0 || !IsHistogram(instrument))
        {
            return null;
        }

        var family = PrometheusNaming.FamilyName(instrument.Name, instrument.Unit, PrometheusMetricType.Histogram);
        return buckets.TryGetValue(family, out var bounds) || buckets.TryGetValue(instrument.Name, out bounds)
            ? new ExplicitBucketHistogramConfiguration { Boundaries = bounds }
            : null;
    }

    private static bool IsHistogram(Instrument instrument) => MetricFamilyConverter.TypeOf(instrument) == PrometheusMetricType.Histogram;
}
