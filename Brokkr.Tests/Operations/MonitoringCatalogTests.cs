using System.Text.RegularExpressions;

namespace Brokkr.Tests.Operations;

public sealed partial class MonitoringCatalogTests
{
    private static readonly string[] Types = ["counter", "gauge", "histogram"];

    [Fact]
    public void The_catalog_lists_broker_and_agent_families_with_a_type_each()
    {
        var broker = MonitoringCatalog.BrokkrFamilies("Broker families");
        var agent = MonitoringCatalog.BrokkrFamilies("Agent families");

        // Issue 5 fixes 17 broker families and issue 6 seven agent families; work orders add six and four, webhooks
        // four, templates two, diagnostics three and one, the audit log three, the agent channel three and two, stack
        // telemetry eight.
        Assert.Equal(46, broker.Count);
        Assert.Equal(14, agent.Count);
        Assert.All(agent, e => Assert.StartsWith("brokkr_agent_", e.Family));
        Assert.Equal(broker.Count + agent.Count, broker.Concat(agent).Select(e => e.Family).Distinct().Count());
        foreach (var entry in broker.Concat(agent))
        {
            Assert.Contains(entry.Type, Types);
            // Prometheus naming: counters end in _total.
            if (entry.Type == "counter")
            {
                Assert.EndsWith("_total", entry.Family);
            }
        }
    }

    [Fact]
    public void Every_brokkr_family_used_by_alerts_and_dashboards_is_in_the_catalog()
    {
        var catalogued = MonitoringCatalog.Entries().Select(e => e.Family).ToHashSet();
        var sources = new[] { OperationsFiles.AlertRules }.Concat(OperationsFiles.Dashboards)
            .Concat(Directory.GetFiles(OperationsFiles.Deploy("prometheus", "tests"), "*.yml"));

        var used = sources.SelectMany(f => BrokkrName().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), m.Value)))
            .Select(u => (u.File, Family: HistogramSeries().Replace(u.Value, "")))
            .Where(u => !catalogued.Contains(u.Family))
            .Distinct()
            .ToList();

        Assert.True(used.Count == 0, "not in docs/monitoring.md: " + string.Join(", ", used.Select(u => $"{u.Family} ({u.File})")));
    }

    [Fact]
    public void The_catalog_reader_sees_built_in_families_too()
    {
        var builtIns = MonitoringCatalog.Entries().Where(e => e.Section == "Built-in families").Select(e => e.Family).ToList();

        Assert.Contains("http_server_request_duration_seconds", builtIns);
        Assert.Contains("process_start_time_seconds", builtIns);
        Assert.DoesNotContain(builtIns, f => f.StartsWith("brokkr_", StringComparison.Ordinal));
    }

    [Fact]
    public void The_comparison_reports_undocumented_vanished_and_retyped_families()
    {
        const string exposition = """
            # HELP brokkr_agent_poll_requests_total Target-state polls.
            # TYPE brokkr_agent_poll_requests_total counter
            brokkr_agent_poll_requests_total{result="success"} 3
            # TYPE brokkr_agent_poll_duration_seconds histogram
            brokkr_agent_poll_duration_seconds_bucket{le="+Inf"} 3
            # TYPE brokkr_agent_heartbeat_sent_total gauge
            # TYPE brokkr_agent_something_new_total counter
            # TYPE process_cpu_seconds_total counter
            """;
        var catalog = MonitoringCatalog.BrokkrFamilies("Agent families")
            .Where(e => e.Family is "brokkr_agent_poll_requests_total" or "brokkr_agent_poll_duration_seconds"
                or "brokkr_agent_heartbeat_sent_total" or "brokkr_agent_reconcile_objects_total");

        var differences = CatalogComparison.Differences(catalog, CatalogComparison.ExposedFamilies(exposition));

        Assert.Equal(
        [
            "brokkr_agent_something_new_total (counter) is exposed at /metrics but missing from docs/monitoring.md",
            "brokkr_agent_reconcile_objects_total is in docs/monitoring.md but not exposed at /metrics",
            "brokkr_agent_heartbeat_sent_total is a gauge at /metrics but documented as a counter",
        ], differences);
    }

    [GeneratedRegex(@"\bbrokkr_[a-z0-9_]+")]
    private static partial Regex BrokkrName();

    [GeneratedRegex("_(bucket|sum|count)$")]
    private static partial Regex HistogramSeries();
}
