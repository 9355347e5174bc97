using System.Text;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>
/// Turns OpenTelemetry instrument names, units and attribute keys into Prometheus names, following the
/// OpenTelemetry→Prometheus compatibility rules. Brokkr instruments already carry their exact Prometheus family
/// name ("brokkr_http_requests_total", unit "s" → unchanged), so suffixes are only added when missing.
/// </summary>
public static class PrometheusNaming
{
    private static readonly Dictionary<string, string> UnitWords = new(StringComparer.Ordinal)
    {
        ["d"] = "days", ["h"] = "hours", ["min"] = "minutes", ["s"] = "seconds", ["ms"] = "milliseconds",
        ["us"] = "microseconds", ["ns"] = "nanoseconds",
        ["By"] = "bytes", ["KiBy"] = "kibibytes", ["MiBy"] = "mebibytes", ["GiBy"] = "gibibytes", ["TiBy"] = "tibibytes",
        ["KBy"] = "kilobytes", ["MBy"] = "megabytes", ["GBy"] = "gigabytes", ["TBy"] = "terabytes",
        ["m"] = "meters", ["V"] = "volts", ["A"] = "amperes", ["J"] = "joules", ["W"] = "watts", ["g"] = "grams",
        ["Cel"] = "celsius", ["Hz"] = "hertz", ["%"] = "percent",
    };

    private static readonly Dictionary<string, string> PerUnitWords = new(StringComparer.Ordinal)
    {
        ["s"] = "second", ["m"] = "minute", ["h"] = "hour", ["d"] = "day", ["w"] = "week", ["mo"] = "month", ["y"] = "year",
    };

    /// <summary>The Prometheus family name for an instrument (for counters including the <c>_total</c> suffix).</summary>
    public static string FamilyName(string instrumentName, string? unit, PrometheusMetricType type)
    {
        var name = SanitizeMetricName(instrumentName);
        var isCounter = type == PrometheusMetricType.Counter;
        if (isCounter && name.EndsWith("_total", StringComparison.Ordinal) && name.Length > "_total".Length)
        {
            name = name[..^"_total".Length];
        }

        var suffix = UnitSuffix(unit, type == PrometheusMetricType.Gauge);
        if (suffix.Length > 0 && name != suffix && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name = name + "_" + suffix;
        }

        return isCounter ? name + "_total" : name;
    }

    /// <summary>Maps a UCUM unit to its Prometheus suffix: "s" → "seconds", "By/s" → "bytes_per_second",
    /// annotations such as "{request}" are dropped, "1" becomes "ratio" on gauges only.</summary>
    public static string UnitSuffix(string? unit, bool isGauge)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return "";
        }

        if (unit == "1")
        {
            return isGauge ? "ratio" : "";
        }

        // Annotations go first: a '/' inside one ("{req/s}") is not a rate.
        unit = StripAnnotations(unit);
        var slash = unit.IndexOf('/');
        if (slash < 0)
        {
            return UnitWord(unit, UnitWords);
        }

        var numerator = UnitWord(unit[..slash], UnitWords);
        var denominator = UnitWord(unit[(slash + 1)..], PerUnitWords);
        if (denominator.Length == 0)
        {
            return numerator;
        }

        return numerator.Length == 0 ? "per_" + denominator : numerator + "_per_" + denominator;
    }

    private static string UnitWord(string unit, Dictionary<string, string> words)
    {
        unit = unit.Trim();
        if (unit.Length == 0 || unit == "1")
        {
            return "";
        }

        return words.TryGetValue(unit, out var word) ? word : SanitizeMetricName(unit).Trim('_');
    }

    private static string StripAnnotations(string unit)
    {
        if (!unit.Contains('{'))
        {
            return unit;
        }

        var result = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}')
            {
                depth = Math.Max(0, depth - 1);
            }
            else if (depth == 0)
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    /// <summary>Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; other characters become '_', runs of '_' collapse.</summary>
    public static string SanitizeMetricName(string name) => Sanitize(name, allowColon: true);

    /// <summary>Label names: [a-zA-Z_][a-zA-Z0-9_]*; other characters become '_', runs of '_' collapse.</summary>
    public static string SanitizeLabelName(string name) => Sanitize(name, allowColon: false);

    public static bool IsValidLabelName(string name) =>
        name.Length > 0 && Sanitize(name, allowColon: false) == name && !name.StartsWith("__", StringComparison.Ordinal);

    private static string Sanitize(string name, bool allowColon)
    {
        if (name.Length == 0)
        {
            return "_";
        }

        var result = new StringBuilder(name.Length + 1);
        if (char.IsAsciiDigit(name[0]))
        {
            result.Append('_');
        }

        foreach (var c in name)
        {
            var valid = char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
            var next = valid ? c : '_';
            if (next == '_' && result.Length > 0 && result[^1] == '_')
            {
                continue;
            }

            result.Append(next);
        }

        return result.ToString();
    }
}
