using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Operations;

namespace Brokkr.Tests.AppHost.WholeGraph;

/// <summary>
/// Every panel query of deploy/grafana's dashboards, evaluated by the whole graph's live Prometheus once it has scraped
/// broker and agent: a query Prometheus rejects fails the test, and every panel must show data — which proves the
/// dashboards select the series the services really expose (a typo'd family evaluates fine but returns nothing) —
/// except panels of errors and firing alerts, which a healthy graph rightly leaves empty.
/// </summary>
[Collection(WholeGraphCollection.Name)]
public sealed partial class DashboardQueryTests(WholeGraphFixture graph)
{
    [Fact]
    public async Task Every_dashboard_query_evaluates_against_the_live_prometheus()
    {
        // API traffic, so the broker's request families have series whatever ran before in this collection.
        await graph.Admin.Send("GET", "/agents").Expect(200);
        await graph.Admin.Send("GET", $"/agents/{Guid.NewGuid()}").Expect(404);
        foreach (var job in new[] { "brokkr-broker", "brokkr-agent" })
        {
            // Two successful scrapes after that traffic, so rate() over the panels' windows has samples to work with.
            await graph.Prometheus.ValueWhenAsync($"sum_over_time(up{{job=\"{job}\"}}[5m])", v => v >= 2);
        }
        await graph.Prometheus.QueryUntilAsync("brokkr_http_requests_total{job=\"brokkr-broker\", status=\"404\"}", r => r.Count > 0);
        await graph.Prometheus.QueryUntilAsync("rate(brokkr_http_requests_total{job=\"brokkr-broker\", status=\"404\"}[1m])", r => r.Count > 0);

        using var prometheus = graph.App.CreateHttpClient("prometheus");
        var queries = OperationsFiles.Dashboards.Select(GrafanaDashboard.Load).SelectMany(d => d.Queries()).ToList();
        var errors = new List<string>();
        var withData = 0;
        var empty = new List<string>();
        foreach (var query in queries)
        {
            using var response = await prometheus.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(query.Expression)}");
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            if ((string?)body["status"] != "success")
            {
                errors.Add($"{query}\n    -> {(int)response.StatusCode} {body["error"]}");
            }
            else if (body["data"]!["result"]!.AsArray().Count > 0)
            {
                withData++;
            }
            else if (!EmptyWhenHealthy().IsMatch(query.Expression))
            {
                empty.Add(query.ToString());
            }
        }

        Assert.True(errors.Count == 0, string.Join('\n', errors));
        Assert.True(empty.Count == 0, $"{withData} of {queries.Count} panel queries returned data; these should have too:\n" + string.Join('\n', empty));
    }

    [GeneratedRegex(@"ALERTS\{|status=~""5\.\.""|result=""error""|error_type!=""""|action=""failed""")]
    private static partial Regex EmptyWhenHealthy();
}
