using System.Text.RegularExpressions;

namespace Brokkr.Tests.Operations;

/// <summary>
/// Compares the catalog in docs/monitoring.md with a scrape of /metrics: the check issue 8 asks for ("a test fails
/// when a brokkr_* family exposed at /metrics is missing from the catalog, or the catalog lists one the code no
/// longer exposes"). Feed it the catalog section of the component and the text its /metrics returned.
/// </summary>
public static partial class CatalogComparison
{
    /// <summary>Family name → type, from the <c># TYPE</c> lines of a Prometheus text exposition.</summary>
    public static IReadOnlyDictionary<string, string> ExposedFamilies(string exposition, string prefix = "brokkr_") =>
        TypeLine().Matches(exposition)
            .Where(m => m.Groups["name"].Value.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["type"].Value, StringComparer.Ordinal);

    /// <summary>Every disagreement, one readable line each; empty when catalog and exposition match.</summary>
    public static IReadOnlyList<string> Differences(IEnumerable<CatalogEntry> catalog, IReadOnlyDictionary<string, string> exposed)
    {
        var documented = catalog.ToDictionary(e => e.Family, e => e.Type, StringComparer.Ordinal);
        var differences = new List<string>();
        differences.AddRange(exposed.Keys.Where(f => !documented.ContainsKey(f)).Order(StringComparer.Ordinal)
            .Select(f => $"{f} ({exposed[f]}) is exposed at /metrics but missing from docs/monitoring.md"));
        differences.AddRange(documented.Keys.Where(f => !exposed.ContainsKey(f)).Order(StringComparer.Ordinal)
            .Select(f => $"{f} is in docs/monitoring.md but not exposed at /metrics"));
        differences.AddRange(documented.Where(d => exposed.TryGetValue(d.Key, out var type) && type != d.Value)
            .Select(d => $"{d.Key} is a {exposed[d.Key]} at /metrics but documented as a {d.Value}"));
        return differences;
    }

    [GeneratedRegex(@"^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();
}
