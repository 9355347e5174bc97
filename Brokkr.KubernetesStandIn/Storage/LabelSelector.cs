using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Brokkr.KubernetesStandIn.Storage;

/// <summary>
/// The label selector grammar: comma-joined terms <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>,
/// <c>k notin (a,b)</c>, <c>k</c> (exists), <c>!k</c> (does not exist). All terms must hold.
/// </summary>
public sealed partial class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _terms;

    private LabelSelector(List<Func<IReadOnlyDictionary<string, string>, bool>> terms) => _terms = terms;

    public static LabelSelector Everything { get; } = new([]);

    public bool Matches(JsonObject obj)
    {
        var labels = (obj["metadata"]?["labels"] as JsonObject)?
            .ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "") ?? new Dictionary<string, string>();
        return _terms.All(term => term(labels));
    }

    /// <summary>Parses a selector; throws <see cref="FormatException"/> with the API server's style of message.</summary>
    public static LabelSelector Parse(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return Everything;
        }

        var terms = new List<Func<IReadOnlyDictionary<string, string>, bool>>();
        foreach (var raw in SplitTerms(selector))
        {
            var term = raw.Trim();
            Match m;
            if ((m = SetTerm().Match(term)).Success)
            {
                var key = Key(m.Groups["key"].Value);
                var values = m.Groups["values"].Value.Split(',').Select(v => Value(v.Trim())).ToHashSet();
                var isIn = m.Groups["op"].Value == "in";
                terms.Add(l => isIn ? l.TryGetValue(key, out var v) && values.Contains(v)
                    : !l.TryGetValue(key, out var w) || !values.Contains(w));
            }
            else if ((m = EqualityTerm().Match(term)).Success)
            {
                var key = Key(m.Groups["key"].Value);
                var value = Value(m.Groups["value"].Value.Trim());
                var negate = m.Groups["op"].Value == "!=";
                terms.Add(l => negate ? !l.TryGetValue(key, out var v) || v != value
                    : l.TryGetValue(key, out var w) && w == value);
            }
            else if (term.StartsWith('!'))
            {
                var key = Key(term[1..].Trim());
                terms.Add(l => !l.ContainsKey(key));
            }
            else
            {
                var key = Key(term);
                terms.Add(l => l.ContainsKey(key));
            }
        }

        return new LabelSelector(terms);
    }

    // Commas inside "in (a,b)" do not separate terms.
    private static IEnumerable<string> SplitTerms(string selector)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < selector.Length; i++)
        {
            depth += selector[i] == '(' ? 1 : selector[i] == ')' ? -1 : 0;
            if (selector[i] == ',' && depth == 0)
            {
                yield return selector[start..i];
                start = i + 1;
            }
        }

        yield return selector[start..];
    }

    private static string Key(string key) => KeyPattern().IsMatch(key) ? key
        : throw new FormatException($"unable to parse requirement: invalid label key \"{key}\"");

    private static string Value(string value) => value.Length == 0 || ValuePattern().IsMatch(value) ? value
        : throw new FormatException($"unable to parse requirement: invalid label value: \"{value}\"");

    [GeneratedRegex(@"^(?<key>[^\s!=()]+)\s+(?<op>in|notin)\s*\((?<values>[^()]*)\)$")]
    private static partial Regex SetTerm();

    [GeneratedRegex(@"^(?<key>[^\s!=()]+)\s*(?<op>==|=|!=)(?<value>[^=!()]*)$")]
    private static partial Regex EqualityTerm();

    [GeneratedRegex(@"^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    internal static partial Regex KeyPattern();

    [GeneratedRegex(@"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    internal static partial Regex ValuePattern();
}
