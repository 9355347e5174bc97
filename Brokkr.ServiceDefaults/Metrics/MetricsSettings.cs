using System.Globalization;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary><see cref="MetricsOptions"/> parsed and validated; invalid values stop the service at startup.</summary>
internal sealed record MetricsSettings(
    bool Enabled,
    string Path,
    bool IncludeProcessMetrics,
    IReadOnlyList<KeyValuePair<string, string>> GlobalLabels,
    IReadOnlyDictionary<string, double[]> Buckets,
    int? CardinalityLimit = null)
{
    public static MetricsSettings From(MetricsOptions options)
    {
        var path = string.IsNullOrWhiteSpace(options.Path) ? "/metrics" : options.Path.Trim();
        if (!path.StartsWith('/'))
        {
            path = "/" + path;
        }

        var buckets = new Dictionary<string, double[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var (family, value) in options.Buckets)
        {
            buckets[family] = ParseBuckets(family, value);
        }

        if (options.CardinalityLimit is <= 0)
        {
            throw new InvalidOperationException(
                $"{MetricsOptions.SectionName}:cardinality_limit: '{options.CardinalityLimit}' must be a positive number of series.");
        }

        return new MetricsSettings(options.Enabled, path, options.IncludeProcessMetrics, ParseLabels(options.GlobalLabels), buckets,
            options.CardinalityLimit);
    }

    public static IReadOnlyList<KeyValuePair<string, string>> ParseLabels(string? text)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals].Trim();
            if (equals < 0 || !PrometheusNaming.IsValidLabelName(name) || name == "le")
            {
                throw new InvalidOperationException(
                    $"{MetricsOptions.SectionName}:global_labels: '{pair}' is not name=value with a valid Prometheus label name.");
            }

            if (!labels.TryAdd(name, pair[(equals + 1)..].Trim()))
            {
                throw new InvalidOperationException($"{MetricsOptions.SectionName}:global_labels: label '{name}' is given twice.");
            }
        }

        return [.. labels];
    }

    private static double[] ParseBuckets(string family, string text)
    {
        var bounds = new List<double>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out var bound) || !double.IsFinite(bound)
                || (bounds.Count > 0 && bound <= bounds[^1]))
            {
                throw new InvalidOperationException(
                    $"{MetricsOptions.SectionName}:buckets:{family}: '{text}' must be finite numbers in strictly increasing order.");
            }

            bounds.Add(bound);
        }

        if (bounds.Count == 0)
        {
            throw new InvalidOperationException($"{MetricsOptions.SectionName}:buckets:{family}: no bucket bounds given.");
        }

        return [.. bounds];
    }
}
