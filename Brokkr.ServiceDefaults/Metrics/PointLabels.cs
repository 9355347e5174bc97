using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using OpenTelemetry.Metrics;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>A metric point's attributes as Prometheus labels (OpenTelemetry→Prometheus compatibility rules).</summary>
internal static class PointLabels
{
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
    public static string LabelValue(object? value) => value switch
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
    public static List<KeyValuePair<string, string>> Of(in MetricPoint point, bool isHistogram)
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
