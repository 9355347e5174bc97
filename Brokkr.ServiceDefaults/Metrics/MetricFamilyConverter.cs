using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
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

    public static Dictionary<string, MetricFamily> Convert(in Batch<Metric> batch)
    {
        var families = new Dictionary<string, MetricFamily>(StringComparer.Ordinal);
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
                family = new MetricFamily(name, HelpOf(metric), type.Value);
                families.Add(name, family);
            }
            else if (family.Type != type.Value)
            {
                // Two instruments mapping to one name with different types cannot share a family: keep the first.
                continue;
            }

            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                family.Series.Add(ToSeries(metric.MetricType, point));
            }
        }

        return families;
    }

    /// <summary>
    /// The instrument's description, or — for instruments published without one (Entity Framework Core's) — a line
    /// naming the instrument and its meter, so every family has HELP text and promtool has nothing to report.
    /// </summary>
    private static string HelpOf(Metric metric) => string.IsNullOrWhiteSpace(metric.Description)
        ? $"{metric.Name} from the {metric.MeterName} meter."
        : metric.Description;

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
        var labels = Labels(point, type == MetricType.Histogram);
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

    private static readonly JsonSerializerOptions ArrayJson = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// An attribute value as label text. Arrays (attribute values may be arrays of strings, booleans or numbers) are
    /// JSON-encoded — <c>["a","b"]</c>, <c>[1,2]</c> — as the OpenTelemetry attribute specification prescribes for
    /// non-OTLP formats, instead of .NET's type name.
    /// </summary>
    internal static string LabelValue(object? value) => value switch
    {
        null => "",
        string text => text,
        bool b => b ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable array => JsonSerializer.Serialize(array, array.GetType(), ArrayJson),
        var other => other.ToString() ?? "",
    };

    /// <summary>
    /// The point's attributes as sorted, unique labels. On a histogram an attribute named <c>le</c> would clash with the
    /// bucket bound, so it becomes <c>exported_le</c> (Prometheus's own prefix for a label that clashes with one it
    /// sets). No summaries are written, so <c>quantile</c> needs no such rename.
    /// </summary>
    private static List<KeyValuePair<string, string>> Labels(in MetricPoint point, bool isHistogram)
    {
        var tags = new List<KeyValuePair<string, object?>>(point.Tags.Count);
        foreach (var tag in point.Tags)
        {
            tags.Add(tag);
        }

        // Keys are visited in order so that values joined below are in the order of their original keys.
        tags.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var labels = new List<KeyValuePair<string, string>>(tags.Count);
        foreach (var tag in tags)
        {
            var name = PrometheusNaming.SanitizeLabelName(tag.Key);
            if (isHistogram && name == "le")
            {
                name = "exported_le";
            }

            var value = LabelValue(tag.Value);
            var existing = labels.FindIndex(l => l.Key == name);
            if (existing >= 0)
            {
                // Attribute keys that sanitise to the same label name are joined, as the OTel spec prescribes.
                labels[existing] = new(name, labels[existing].Value + ";" + value);
                continue;
            }

            labels.Add(new(name, value));
        }

        labels.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return labels;
    }
}
