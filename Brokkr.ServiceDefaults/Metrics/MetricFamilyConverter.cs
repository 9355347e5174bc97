using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>Converts one collected OpenTelemetry batch into Prometheus families (cumulative temporality).</summary>
internal static class MetricFamilyConverter
{
    // .NET's System.Runtime meter creates these as ObservableCounter although they go up and down (the semantic
    // conventions define them as updowncounters); as counters, rate() over them would be wrong.
    private static readonly HashSet<string> RuntimeGaugesPublishedAsCounters = new(StringComparer.Ordinal)
    {
        "dotnet.thread_pool.thread.count",
        "dotnet.thread_pool.queue.length",
    };

    /// <param name="batch">One collection.</param>
    /// <param name="report">
    /// Told about each point the conversion has to drop (a type conflict, a duplicate series), in the same words every
    /// scrape, so that the caller can warn once per problem instead of once per scrape.
    /// </param>
    public static Dictionary<string, MetricFamily> Convert(in Batch<Metric> batch, Action<string>? report = null)
    {
        var families = new Dictionary<string, MetricFamily>(StringComparer.Ordinal);
        var sources = new Dictionary<string, List<(Metric Metric, MetricSeries Series)>>(StringComparer.Ordinal);
        foreach (var metric in batch)
        {
            var type = metric.MeterName == "System.Runtime" && RuntimeGaugesPublishedAsCounters.Contains(metric.Name)
                ? PrometheusMetricType.Gauge
                : TypeOf(metric.MetricType);
            if (type is null)
            {
                continue;
            }

            var name = PrometheusNaming.FamilyName(metric.Name, metric.Unit, type.Value);
            if (!families.TryGetValue(name, out var family))
            {
                family = new MetricFamily(name, HelpText(metric.Name, metric.Description, metric.MeterName), type.Value);
                families.Add(name, family);
                sources.Add(name, []);
            }
            else if (family.Type != type.Value)
            {
                // One name cannot carry two types: the first instrument keeps the family.
                report?.Invoke($"{name}: dropped instrument {metric.Name} of meter {metric.MeterName}, a " +
                    $"{PrometheusTextWriter.TypeWord(type.Value)}, because the family is a {PrometheusTextWriter.TypeWord(family.Type)}.");
                continue;
            }

            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                sources[name].Add((metric, ToSeries(metric.MetricType, point)));
            }
        }

        foreach (var (name, series) in sources)
        {
            ScopeLabels.AddUnique(families[name], series, report);
        }

        return families;
    }

    /// <summary>
    /// The instrument's description, or — for instruments published without one (Entity Framework Core's) — a line
    /// naming the instrument and its meter, so every family has HELP text and promtool has nothing to report.
    /// </summary>
    public static string HelpText(string instrument, string? description, string meter) =>
        string.IsNullOrWhiteSpace(description) ? $"{instrument} from the {meter} meter." : description;

    /// <summary>The family type an instrument's metric will have (as <see cref="TypeOf(MetricType)"/> gives for its points).</summary>
    public static PrometheusMetricType? TypeOf(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var kind = type.GetGenericTypeDefinition();
        if (instrument.Meter.Name == "System.Runtime" && RuntimeGaugesPublishedAsCounters.Contains(instrument.Name))
        {
            return PrometheusMetricType.Gauge;
        }

        if (kind == typeof(Counter<>) || kind == typeof(ObservableCounter<>))
        {
            return PrometheusMetricType.Counter;
        }

        if (kind == typeof(Histogram<>))
        {
            return PrometheusMetricType.Histogram;
        }

        return kind == typeof(UpDownCounter<>) || kind == typeof(ObservableUpDownCounter<>) || kind == typeof(ObservableGauge<>)
            || kind == typeof(Gauge<>)
            ? PrometheusMetricType.Gauge
            : null;
    }

    private static PrometheusMetricType? TypeOf(MetricType type) => type switch
    {
        MetricType.LongSum or MetricType.DoubleSum => PrometheusMetricType.Counter,
        MetricType.LongSumNonMonotonic or MetricType.DoubleSumNonMonotonic
            or MetricType.LongGauge or MetricType.DoubleGauge => PrometheusMetricType.Gauge,
        MetricType.Histogram => PrometheusMetricType.Histogram,
        _ => null,
    };

    private static MetricSeries ToSeries(MetricType type, in MetricPoint point)
    {
        var labels = PointLabels.Of(point, type == MetricType.Histogram);
        switch (type)
        {
            case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                return new MetricSeries(labels, point.GetSumLong());
            case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                return new MetricSeries(labels, point.GetSumDouble());
            case MetricType.LongGauge:
                return new MetricSeries(labels, point.GetGaugeLastValueLong());
            case MetricType.DoubleGauge:
                return new MetricSeries(labels, point.GetGaugeLastValueDouble());
            default:
                var buckets = new List<(double, long)>();
                long cumulative = 0;
                foreach (var bucket in point.GetHistogramBuckets())
                {
                    cumulative += bucket.BucketCount;
                    buckets.Add((bucket.ExplicitBound, cumulative));
                }

                return new MetricSeries(labels, point.GetHistogramSum())
                {
                    Buckets = buckets,
                    Count = point.GetHistogramCount(),
                };
        }
    }
}
