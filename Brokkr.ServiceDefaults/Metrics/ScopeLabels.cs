using OpenTelemetry.Metrics;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>
/// Keeps the series of a family unique when several instruments feed it. Instruments of different meters (scopes)
/// that map to one family name get <c>otel_scope_name</c> (and <c>otel_scope_version</c> when the meter has one)
/// labels, as the OpenTelemetry→Prometheus compatibility rules prescribe; without them equal label sets would repeat a
/// series and Prometheus would reject the whole scrape. Families fed by a single meter — every Brokkr family — stay
/// without scope labels, so the catalog's label sets are exactly what is exposed. Series whose labels still repeat
/// (two instruments of one meter mapping to one name) keep the first and drop the rest.
/// </summary>
internal static class ScopeLabels
{
    public const string Name = "otel_scope_name";
    public const string Version = "otel_scope_version";

    public static void AddUnique(MetricFamily family, List<(Metric Metric, MetricSeries Series)> sources, Action<string>? report)
    {
        var scoped = sources.Select(s => (s.Metric.MeterName, s.Metric.MeterVersion ?? "")).Distinct().Count() > 1;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (metric, series) in sources)
        {
            var labelled = scoped ? WithScope(series, metric) : series;
            if (!seen.Add(string.Join('\n', labelled.Labels.Select(l => l.Key + "=" + l.Value))))
            {
                report?.Invoke($"{family.Name}: dropped a series of instrument {metric.Name} of meter {metric.MeterName} " +
                    "because another instrument already wrote a series with the same labels.");
                continue;
            }

            family.Series.Add(labelled);
        }
    }

    private static MetricSeries WithScope(MetricSeries series, Metric metric)
    {
        var labels = series.Labels.ToList();
        Add(labels, Name, metric.MeterName);
        if (!string.IsNullOrEmpty(metric.MeterVersion))
        {
            Add(labels, Version, metric.MeterVersion);
        }

        labels.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return series.WithLabels(labels);
    }

    /// <summary>An attribute of the same name keeps its value: it is the instrument's own label.</summary>
    private static void Add(List<KeyValuePair<string, string>> labels, string name, string value)
    {
        if (!labels.Exists(l => l.Key == name))
        {
            labels.Add(new(name, value));
        }
    }
}
