using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>The MeterProvider's setup: instrumentations, Brokkr and .NET meters, configured views, the Prometheus exporter.</summary>
internal static class MetricsPipeline
{
    /// <summary>The service's own meters (a trailing '*' matches any rest of the name).</summary>
    public static readonly string[] OwnMeters = ["Brokkr.*"];

    /// <summary>Built-in meters no instrumentation package adds.</summary>
    private static readonly string[] LibraryMeters = ["Npgsql", "Microsoft.EntityFrameworkCore"];

    public static MeterProviderBuilder Configure(MeterProviderBuilder metrics, MetricsSettings settings)
    {
        metrics
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddRuntimeInstrumentation()
            .AddProcessInstrumentation()
            .AddMeter([.. OwnMeters, .. LibraryMeters])
            .AddPrometheusExporter(options =>
            {
                options.ScrapeEndpointPath = settings.Path;
                // Every Brokkr family comes from one meter, so scope labels would only lengthen each series; without
                // them the label sets are exactly docs/monitoring.md's.
                options.ScopeInfoEnabled = false;
                // Two scrapes must not see one collection: tests and Prometheus HA pairs read current values.
                options.ScrapeResponseCacheDurationMilliseconds = 0;
                var global = settings.GlobalLabels.Select(label => label.Key).ToHashSet(StringComparer.Ordinal);
                options.ResourceConstantLabels = global.Count == 0 ? null : global.Contains;
            });
        if (settings.IncludeProcessMetrics)
        {
            metrics.AddInstrumentation(services => new ProcessMetrics(services.GetRequiredService<IMeterFactory>()));
        }

        // The views need the host's services: dropping other hosts' instruments needs its meter factory.
        return ((IDeferredMeterProviderBuilder)metrics).Configure((services, builder) =>
        {
            var hostMeters = services.GetService<IMeterFactory>();
            builder.AddView(instrument => BelongsToAnotherHost(instrument, hostMeters) || IsSlowDuplicate(instrument)
                ? MetricStreamConfiguration.Drop
                : StreamView(instrument, settings));
        });
    }

    /// <summary>
    /// Whether an instrument of the service's own meters was created through another host's <see cref="IMeterFactory"/>.
    /// Meter listeners are process-wide, so without this every host in a process (tests, benchmarks) would record
    /// and expose the others' Brokkr instruments; built-in meters keep their process-wide behaviour.
    /// </summary>
    public static bool BelongsToAnotherHost(Instrument instrument, IMeterFactory? hostMeters) =>
        IsOwn(instrument.Meter) && instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, hostMeters);

    /// <summary>
    /// The process instrumentation's descriptor count, which <c>process_open_fds</c> already reports. The package
    /// reads it from <see cref="System.Diagnostics.Process.HandleCount"/>, which lists /proc/self/fd and stats the
    /// target of every entry: two system calls per open socket at every scrape, the largest single cost of a scrape
    /// in a broker holding many agent connections.
    /// </summary>
    public static bool IsSlowDuplicate(Instrument instrument) =>
        instrument.Meter.Name == "OpenTelemetry.Instrumentation.Process" && instrument.Name == "process.unix.file_descriptor.count";

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

    /// <summary>A view giving a histogram the configured buckets, matched by instrument or Prometheus family name.</summary>
    public static MetricStreamConfiguration? BucketView(Instrument instrument, IReadOnlyDictionary<string, double[]> buckets)
    {
        if (buckets.Count == 0 || !instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal))
        {
            return null;
        }

        return buckets.TryGetValue(instrument.Name, out var bounds) || buckets.TryGetValue(FamilyName(instrument), out bounds)
            ? new ExplicitBucketHistogramConfiguration { Boundaries = bounds }
            : null;
    }

    /// <summary>The Prometheus name of a histogram, as the exporter writes it (dots to underscores, unit suffix).</summary>
    private static string FamilyName(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        var suffix = instrument.Unit switch { "s" => "_seconds", "ms" => "_milliseconds", "By" => "_bytes", _ => "" };
        return name.EndsWith(suffix, StringComparison.Ordinal) ? name : name + suffix;
    }
}
