using System.Globalization;
using System.Text.RegularExpressions;
using Brokkr.ServiceDefaults.Configuration;
using Microsoft.Extensions.Configuration;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary><see cref="MetricsOptions"/> parsed and validated; invalid values stop the service at startup.</summary>
internal sealed partial record MetricsSettings(
    bool Enabled,
    string Path,
    bool IncludeProcessMetrics,
    IReadOnlyList<KeyValuePair<string, string>> GlobalLabels,
    IReadOnlyDictionary<string, double[]> Buckets,
    int? CardinalityLimit = null)
{
    /// <summary>
    /// Reads section <c>Brokkr:Metrics</c>. <c>global_labels</c> and <c>buckets:&lt;family&gt;</c> are lists, read in
    /// every shape (<see cref="ConfigurationLists"/>): <c>global_labels = "env=prod,region=eu"</c>,
    /// <c>global_labels = ["env=prod", "region=eu"]</c> or a <c>[metrics.global_labels]</c> table;
    /// <c>buckets.&lt;family&gt; = "0.1,0.5"</c> or <c>[0.1, 0.5]</c>.
    /// </summary>
    public const string GlobalLabelsKey = "global_labels";
    public const string BucketsKey = "buckets";

    /// <param name="sdkDisabled">OTEL_SDK_DISABLED=true: the SDK records nothing, so metrics are off as well.</param>
    public static MetricsSettings From(IConfigurationSection section, bool sdkDisabled = false)
    {
        var options = section.Get<MetricsOptions>() ?? new MetricsOptions();
        var path = string.IsNullOrWhiteSpace(options.Path) ? "/metrics" : options.Path.Trim();
        if (!path.StartsWith('/'))
        {
            path = "/" + path;
        }

        var buckets = new Dictionary<string, double[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var family in section.GetSection(BucketsKey).GetChildren())
        {
            buckets[family.Key] = ParseBuckets(family.Key, ConfigurationLists.Items(family));
        }

        if (options.CardinalityLimit is <= 0)
        {
            throw new InvalidOperationException(
                $"{MetricsOptions.SectionName}:cardinality_limit: '{options.CardinalityLimit}' must be a positive number of series.");
        }

        var labels = ParseLabels(ConfigurationLists.Pairs(section.GetSection(GlobalLabelsKey)));
        return new MetricsSettings(options.Enabled && !sdkDisabled, path, options.IncludeProcessMetrics, labels, buckets, options.CardinalityLimit);
    }

    /// <summary>Labels written "name=value,name=value" (e.g. "env=prod,region=eu").</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseLabels(string? text) =>
        ParseLabels((text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    public static IReadOnlyList<KeyValuePair<string, string>> ParseLabels(IEnumerable<string> pairs)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs.Select(p => p.Trim()))
        {
            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals].Trim();
            if (equals < 0 || !LabelName().IsMatch(name) || name == "le")
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

    private static double[] ParseBuckets(string family, IReadOnlyList<string> items)
    {
        var text = string.Join(", ", items);
        var bounds = new List<double>();
        foreach (var item in items)
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

    /// <summary>A Prometheus label name; names starting with <c>__</c> are reserved for Prometheus itself.</summary>
    [GeneratedRegex("^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();
}
