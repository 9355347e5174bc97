using System.Net;
using System.Text.RegularExpressions;

namespace Brokkr.Tests.Operations;

public sealed partial class DashboardTests(PrometheusServer prometheus) : IClassFixture<PrometheusServer>
{
    public static TheoryData<string> DashboardFiles() => new(OperationsFiles.Dashboards.Select(Path.GetFileName)!);

    [Fact]
    public void Both_dashboards_exist()
    {
        Assert.Equal(["brokkr-agent.json", "brokkr-broker.json"], OperationsFiles.Dashboards.Select(Path.GetFileName));
    }

    [Theory]
    [MemberData(nameof(DashboardFiles))]
    public void Dashboard_is_importable_into_grafana_10_with_a_prometheus_datasource_variable(string file)
    {
        var dashboard = GrafanaDashboard.Load(OperationsFiles.Deploy("grafana", file));

        // What __requires promises must hold: the Grafana version it names writes (and reads) this schemaVersion, and
        // every panel type used is listed — a newer schema would be migrated by a release the dashboard did not ask for.
        var requires = dashboard.Json["__requires"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var grafana = Version.Parse(Assert.Single(requires, r => r["type"]!.GetValue<string>() == "grafana")["version"]!.GetValue<string>());
        Assert.Equal(new Version(10, 0, 0), grafana); // docs/monitoring.md: "Grafana 10 or newer"
        Assert.Equal(SchemaVersionWrittenBy(grafana), dashboard.Json["schemaVersion"]!.GetValue<int>());
        Assert.Contains(requires, r => r["type"]!.GetValue<string>() == "datasource" && r["id"]!.GetValue<string>() == "prometheus");
        Assert.Equal(
            dashboard.Panels.Select(p => p["type"]!.GetValue<string>()).Where(t => t != "row").Distinct().Order(),
            requires.Where(r => r["type"]!.GetValue<string>() == "panel").Select(r => r["id"]!.GetValue<string>()).Order());
        Assert.False(string.IsNullOrWhiteSpace(dashboard.Json["uid"]?.GetValue<string>()), "the dashboard needs a stable uid");
        Assert.False(string.IsNullOrWhiteSpace(dashboard.Json["title"]?.GetValue<string>()), "the dashboard needs a title");

        var datasource = Assert.Single(dashboard.Templating, v => v["name"]!.GetValue<string>() == "datasource");
        Assert.Equal("datasource", datasource["type"]!.GetValue<string>());
        Assert.Equal("prometheus", datasource["query"]!.GetValue<string>());

        var panels = dashboard.Panels.ToList();
        Assert.Equal(panels.Count, panels.Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
        foreach (var panel in panels.Where(p => p["type"]!.GetValue<string>() != "row"))
        {
            var title = panel["title"]!.GetValue<string>();
            Assert.True(panel["gridPos"] is not null, $"panel '{title}' has no gridPos");
            Assert.Equal("${datasource}", panel["datasource"]?["uid"]?.GetValue<string>());
            var targets = panel["targets"]!.AsArray();
            Assert.True(targets.Count > 0, $"panel '{title}' has no query");
            Assert.All(targets, t => Assert.Equal("${datasource}", t!["datasource"]?["uid"]?.GetValue<string>()));
        }
    }

    [Theory]
    [InlineData("brokkr-broker.json", new[]
    {
        // Seed 001's broker catalog and issue 5's additions.
        "brokkr_http_requests_total", "brokkr_http_request_duration_seconds", "brokkr_http_requests_in_flight",
        "brokkr_http_request_size_bytes", "brokkr_http_response_size_bytes", "brokkr_database_queries_total",
        "brokkr_database_query_duration_seconds", "brokkr_database_errors_total", "brokkr_active_agents",
        "brokkr_agent_heartbeat_age_seconds", "brokkr_stacks_total", "brokkr_deployment_objects_total",
        "brokkr_default_admin_pak_hash_in_use", "brokkr_deployment_objects_created_total", "brokkr_agent_events_total",
        "brokkr_heartbeats_received_total", "brokkr_auth_failures_total", "http_server_request_duration_seconds",
        "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds",
        // Issue 18: work orders.
        "brokkr_work_orders_queued", "brokkr_work_order_oldest_pending_age_seconds", "brokkr_work_order_completions_total",
        // Issue 22: the agent channel.
        "brokkr_ws_connected_agents", "brokkr_ws_messages_total", "brokkr_ws_messages_dropped_total",
    })]
    [InlineData("brokkr-agent.json", new[]
    {
        // Seed 001's agent catalog and issue 6's additions.
        "brokkr_agent_poll_requests_total", "brokkr_agent_poll_duration_seconds", "brokkr_agent_kubernetes_operations_total",
        "brokkr_agent_kubernetes_operation_duration_seconds", "brokkr_agent_heartbeat_sent_total",
        "brokkr_agent_last_successful_poll_timestamp_seconds", "brokkr_agent_reconcile_objects_total",
        "http_client_request_duration_seconds", "process_cpu_seconds_total", "process_resident_memory_bytes",
        "process_open_fds", "process_start_time_seconds",
        // Issue 18: work orders.
        "brokkr_agent_work_orders_completed_total", "brokkr_agent_work_orders_in_progress",
        // Issue 22: the agent channel.
        "brokkr_agent_ws_connected", "brokkr_agent_reports_total",
    })]
    public void Dashboard_charts_every_family_of_its_component(string file, string[] families)
    {
        var dashboard = GrafanaDashboard.Load(OperationsFiles.Deploy("grafana", file));
        var charted = dashboard.Queries().SelectMany(q => MetricNames(q.Expression)).ToHashSet();

        var missing = families.Where(f => !charted.Contains(f)).ToList();
        Assert.True(missing.Count == 0, $"{file} charts none of: {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task Every_panel_query_is_valid_promql_for_a_real_prometheus()
    {
        var queries = OperationsFiles.Dashboards.Select(GrafanaDashboard.Load).SelectMany(d => d.Queries()).ToList();
        Assert.True(queries.Count >= 40, $"expected the two dashboards to hold at least 40 queries, found {queries.Count}");

        var failures = new List<string>();
        foreach (var query in queries)
        {
            var (status, body) = await prometheus.QueryAsync(query.Expression);
            if (status != HttpStatusCode.OK || body["status"]?.GetValue<string>() != "success")
            {
                failures.Add($"{query}\n    -> {(int)status} {body["error"]}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Every_template_variable_query_selects_valid_series()
    {
        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var dashboard in OperationsFiles.Dashboards.Select(GrafanaDashboard.Load))
        {
            foreach (var variable in dashboard.Templating.Where(v => v["type"]!.GetValue<string>() == "query"))
            {
                // label_values(<selector>, <label>) is Grafana's; the selector inside is PromQL.
                var definition = variable["definition"]!.GetValue<string>();
                var match = LabelValues().Match(definition);
                Assert.True(match.Success, $"{dashboard.Name}: variable {variable["name"]} is not a label_values query: {definition}");
                var selector = dashboard.Substitute(match.Groups["selector"].Value);
                var (status, body) = await prometheus.QueryAsync(selector);
                checkedCount++;
                if (status != HttpStatusCode.OK)
                {
                    failures.Add($"{dashboard.Name} ${variable["name"]}: {selector} -> {body["error"]}");
                }
            }
        }

        Assert.True(checkedCount >= 4, $"expected job and instance variables on both dashboards, checked {checkedCount}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task The_validator_rejects_broken_promql()
    {
        // Proves the check above can fail: Prometheus itself reports the parse error.
        var (status, body) = await prometheus.QueryAsync("sum(rate(brokkr_http_requests_total[1m])");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("bad_data", body["errorType"]?.GetValue<string>());
    }

    /// <summary>
    /// The dashboard schemaVersion a Grafana release writes: 38 from 10.0 (table cell options), 39 from 10.3 (the
    /// timeSeriesTable transformation's migration). Only the Grafana 10 line is listed: extend it before requiring a newer one.
    /// </summary>
    private static int SchemaVersionWrittenBy(Version grafana) => grafana switch
    {
        { Major: 10, Minor: < 3 } => 38,
        { Major: 10 } => 39,
        _ => throw new ArgumentOutOfRangeException(nameof(grafana), grafana, "no schemaVersion known for this Grafana release"),
    };

    private static IEnumerable<string> MetricNames(string expression) =>
        MetricName().Matches(expression).Select(m => Regex.Replace(m.Value, "_(bucket|count|sum)$", ""));

    [GeneratedRegex(@"\b(?:brokkr|http|process|dotnet|kestrel|db_client)_[a-z_]+\b")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^label_values\((?<selector>.+),\s*\w+\)$")]
    private static partial Regex LabelValues();
}
