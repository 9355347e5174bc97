using System.Globalization;
using System.Text;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>
/// Writes families in the Prometheus text format 0.0.4: one HELP/TYPE block per family, families sorted by name,
/// series sorted by their rendered labels, global labels added to every series whose own labels do not already use
/// the name.
/// </summary>
internal static class PrometheusTextWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(IEnumerable<MetricFamily> families, IReadOnlyList<KeyValuePair<string, string>> globalLabels)
    {
        var text = new StringBuilder();
        foreach (var family in families.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            // A family without series still gets HELP and TYPE (see PublishedInstruments).
            if (family.Help.Length > 0)
            {
                text.Append("# HELP ").Append(family.Name).Append(' ').Append(EscapeHelp(family.Help)).Append('\n');
            }

            text.Append("# TYPE ").Append(family.Name).Append(' ').Append(TypeWord(family.Type)).Append('\n');
            var rendered = family.Series
                .Select(series => (Labels: RenderLabels(series.Labels, globalLabels), Series: series))
                .OrderBy(s => s.Labels, StringComparer.Ordinal);
            foreach (var (labels, series) in rendered)
            {
                if (family.Type == PrometheusMetricType.Histogram)
                {
                    WriteHistogram(text, family.Name, labels, series);
                }
                else
                {
                    WriteSample(text, family.Name, labels, null, PrometheusNumber.Format(series.Value));
                }
            }
        }

        return text.ToString();
    }

    private static void WriteHistogram(StringBuilder text, string name, string labels, MetricSeries series)
    {
        foreach (var (upperBound, cumulativeCount) in series.Buckets ?? [])
        {
            WriteSample(text, name + "_bucket", labels, PrometheusNumber.Format(upperBound), cumulativeCount.ToString(CultureInfo.InvariantCulture));
        }

        WriteSample(text, name + "_sum", labels, null, PrometheusNumber.Format(series.Value));
        WriteSample(text, name + "_count", labels, null, series.Count.ToString(CultureInfo.InvariantCulture));
    }

    private static void WriteSample(StringBuilder text, string name, string labels, string? le, string value)
    {
        text.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            text.Append('{').Append(labels);
            if (le is not null)
            {
                text.Append(labels.Length > 0 ? ",le=\"" : "le=\"").Append(le).Append('"');
            }

            text.Append('}');
        }

        text.Append(' ').Append(value).Append('\n');
    }

    private static string RenderLabels(IReadOnlyList<KeyValuePair<string, string>> labels, IReadOnlyList<KeyValuePair<string, string>> globalLabels)
    {
        IEnumerable<KeyValuePair<string, string>> all = labels;
        if (globalLabels.Count > 0)
        {
            all = labels.Concat(globalLabels.Where(g => !labels.Any(l => l.Key == g.Key)))
                .OrderBy(l => l.Key, StringComparer.Ordinal);
        }

        var text = new StringBuilder();
        foreach (var (name, value) in all)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(name).Append("=\"").Append(EscapeLabelValue(value)).Append('"');
        }

        return text.ToString();
    }

    public static string TypeWord(PrometheusMetricType type) => type switch
    {
        PrometheusMetricType.Counter => "counter",
        PrometheusMetricType.Gauge => "gauge",
        _ => "histogram",
    };

    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);

    public static string EscapeHelp(string help) =>
        help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
