using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Brokkr.Tests.Operations;

/// <summary>One PromQL query of a dashboard, with Grafana's variables already replaced by concrete values.</summary>
public sealed record DashboardQuery(string Dashboard, string Panel, string RefId, string Template, string Expression)
{
    public override string ToString() => $"{Dashboard} / {Panel} / {RefId}: {Expression}";
}

/// <summary>
/// Reads a Grafana dashboard and turns every panel target into the PromQL Grafana would send: template variables
/// become their "All" value (or current value), and Grafana's built-in interval variables become fixed durations.
/// </summary>
public sealed partial class GrafanaDashboard
{
    // Grafana's built-in variables, at values Prometheus accepts as range selectors and durations.
    private static readonly Dictionary<string, string> BuiltIns = new(StringComparer.Ordinal)
    {
        ["__rate_interval"] = "1m",
        ["__interval"] = "1m",
        ["__range"] = "1h",
        ["__range_s"] = "3600",
        ["__interval_ms"] = "60000",
        ["__range_ms"] = "3600000",
    };

    private readonly Dictionary<string, string> _variables;

    private GrafanaDashboard(string name, JsonObject json)
    {
        Name = name;
        Json = json;
        _variables = Templating.ToDictionary(v => v["name"]!.GetValue<string>(), ValueOf, StringComparer.Ordinal);
    }

    public string Name { get; }

    public JsonObject Json { get; }

    public IEnumerable<JsonObject> Templating =>
        Json["templating"]?["list"]?.AsArray().Select(v => v!.AsObject()) ?? [];

    /// <summary>Every panel, including those nested in collapsed rows.</summary>
    public IEnumerable<JsonObject> Panels => Flatten(Json["panels"]?.AsArray() ?? []);

    public static GrafanaDashboard Load(string path) =>
        new(Path.GetFileName(path), JsonNode.Parse(File.ReadAllText(path))!.AsObject());

    public IEnumerable<DashboardQuery> Queries() =>
        from panel in Panels
        from target in panel["targets"]?.AsArray() ?? []
        let expr = target?["expr"]?.GetValue<string>()
        where !string.IsNullOrWhiteSpace(expr)
        select new DashboardQuery(Name, panel["title"]?.GetValue<string>() ?? "(untitled)",
            target!["refId"]?.GetValue<string>() ?? "?", expr, Substitute(expr));

    /// <summary>Replaces $name, ${name}, ${name:format} and [[name]] the way Grafana interpolates a query.</summary>
    public string Substitute(string text) => VariableReference().Replace(text, match =>
    {
        var name = match.Groups["a"].Success ? match.Groups["a"].Value
            : match.Groups["b"].Success ? match.Groups["b"].Value
            : match.Groups["c"].Value;
        if (BuiltIns.TryGetValue(name, out var builtIn))
        {
            return builtIn;
        }

        if (name.All(char.IsAsciiDigit))
        {
            return match.Value; // a regex back-reference such as label_replace's "$1", not a variable
        }

        return _variables.TryGetValue(name, out var value)
            ? value
            : throw new InvalidOperationException($"{Name}: the query uses ${name}, which the dashboard does not define: {text}");
    });

    private static string ValueOf(JsonObject variable)
    {
        if (variable["type"]?.GetValue<string>() == "datasource")
        {
            return "prometheus";
        }

        if (variable["includeAll"]?.GetValue<bool>() == true)
        {
            return variable["allValue"]?.GetValue<string>() ?? ".*";
        }

        var current = variable["current"]?["value"];
        return current switch
        {
            JsonValue single => single.GetValue<string>(),
            JsonArray many when many.Count > 0 => many[0]!.GetValue<string>(),
            _ => ".+",
        };
    }

    private static IEnumerable<JsonObject> Flatten(JsonArray panels)
    {
        foreach (var panel in panels.Select(p => p!.AsObject()))
        {
            yield return panel;
            foreach (var nested in Flatten(panel["panels"]?.AsArray() ?? []))
            {
                yield return nested;
            }
        }
    }

    [GeneratedRegex(@"\$\{(?<b>\w+)(?::[^}]*)?\}|\[\[(?<c>\w+)\]\]|\$(?<a>\w+)")]
    private static partial Regex VariableReference();
}
