using System.Globalization;
using System.Text.Json.Nodes;

namespace Brokkr.Tests.AppHost.Testing;

/// <summary>One sample of an instant query: its labels and value.</summary>
public sealed record PromSample(IReadOnlyDictionary<string, string> Labels, double Value)
{
    public override string ToString() => "{" + string.Join(",", Labels.Select(l => $"{l.Key}=\"{l.Value}\"")) + "} " +
                                         Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What the tests read from Prometheus's HTTP API (/api/v1/targets, /query, /rules).</summary>
public sealed class PrometheusApi(HttpClient http)
{
    public static readonly TimeSpan ScrapeWait = TimeSpan.FromSeconds(60);

    /// <summary>The active target of a job (null while Prometheus has not discovered it).</summary>
    public async Task<JsonNode?> TargetAsync(string job)
    {
        var targets = JsonNode.Parse(await http.GetStringAsync("/api/v1/targets?state=active"))!;
        return targets["data"]!["activeTargets"]!.AsArray().FirstOrDefault(t => (string?)t!["labels"]!["job"] == job);
    }

    public async Task<IReadOnlyList<PromSample>> QueryAsync(string promql)
    {
        var response = JsonNode.Parse(await http.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(promql)}"))!;
        Assert.Equal("success", (string?)response["status"]);
        return [.. response["data"]!["result"]!.AsArray().Select(r => new PromSample(
            r!["metric"]!.AsObject().ToDictionary(m => m.Key, m => (string)m.Value!),
            double.Parse((string)r["value"]![1]!, CultureInfo.InvariantCulture)))];
    }

    /// <summary>Queries until the result satisfies <paramref name="done"/> (a later scrape may be needed), returning it.</summary>
    public Task<IReadOnlyList<PromSample>> QueryUntilAsync(string promql, Func<IReadOnlyList<PromSample>, bool> done) =>
        Poll.UntilAsync(() => QueryAsync(promql), done, ScrapeWait, promql);

    /// <summary>The single value of a query returning one series, once <paramref name="done"/> holds for it.</summary>
    public async Task<double> ValueWhenAsync(string promql, Func<double, bool> done) =>
        (await QueryUntilAsync(promql, r => r.Count == 1 && done(r[0].Value)))[0].Value;

    public async Task<IReadOnlyList<string>> RuleGroupsAsync()
    {
        var response = JsonNode.Parse(await http.GetStringAsync("/api/v1/rules"))!;
        return [.. response["data"]!["groups"]!.AsArray().Select(g => (string)g!["name"]!)];
    }
}
