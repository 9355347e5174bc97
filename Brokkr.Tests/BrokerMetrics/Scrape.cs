using System.Text.RegularExpressions;
using Brokkr.Tests.ServiceDefaults;

namespace Brokkr.Tests.BrokerMetrics;

/// <summary>One parsed /metrics answer, queried by series name and labels.</summary>
internal sealed partial class Scrape(string text)
{
    public string Text { get; } = text;

    public IReadOnlyList<ExpositionParser.Sample> Samples { get; } = ExpositionParser.Parse(text);

    /// <summary>Series of <paramref name="name"/> whose labels include every given pair.</summary>
    public IEnumerable<(Dictionary<string, string> Labels, double Value)> Series(string name, params (string Key, string Value)[] labels) =>
        Samples.Where(s => s.Name == name)
            .Select(s => (Labels: ParseLabels(s.Labels), s.Value))
            .Where(s => labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value));

    /// <summary>The value of the one series matching, or fails.</summary>
    public double Value(string name, params (string Key, string Value)[] labels)
    {
        var matches = Series(name, labels).ToList();
        Assert.True(matches.Count == 1,
            $"expected one {name}{{{string.Join(',', labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} series, found {matches.Count}");
        return matches[0].Value;
    }

    /// <summary>The value summed over all matching series (0 when none).</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) => Series(name, labels).Sum(s => s.Value);

    public IReadOnlySet<string> LabelValues(string name, string label) =>
        Series(name).Select(s => s.Labels.GetValueOrDefault(label, "")).ToHashSet();

    private static Dictionary<string, string> ParseLabels(string text) =>
        LabelPair().Matches(text).ToDictionary(m => m.Groups["k"].Value, m => Regex.Unescape(m.Groups["v"].Value));

    [GeneratedRegex("""(?<k>[a-zA-Z_][a-zA-Z0-9_]*)="(?<v>([^"\\]|\\.)*)",?""")]
    private static partial Regex LabelPair();
}
