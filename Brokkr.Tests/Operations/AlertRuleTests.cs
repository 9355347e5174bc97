using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Brokkr.Tests.Infrastructure;

namespace Brokkr.Tests.Operations;

public sealed partial class AlertRuleTests
{
    // What issue 8 requires an alert for, by the family it watches.
    public static TheoryData<string, string> RequiredAlerts() => new()
    {
        { "BrokkrHttpHighErrorRate", "brokkr_http_requests_total" },
        { "BrokkrHttpHighLatency", "brokkr_http_request_duration_seconds_bucket" },
        { "BrokkrNoActiveAgents", "brokkr_active_agents" },
        { "BrokkrAgentHeartbeatStale", "brokkr_agent_heartbeat_age_seconds" },
        { "BrokkrAgentPollFailures", "brokkr_agent_poll_requests_total" },
        { "BrokkrAgentNoSuccessfulPoll", "brokkr_agent_last_successful_poll_timestamp_seconds" },
        { "BrokkrAgentKubernetesOperationFailures", "brokkr_agent_kubernetes_operations_total" },
        { "BrokkrDatabaseHighLatency", "brokkr_database_query_duration_seconds_bucket" },
        { "BrokkrDefaultAdminPakInUse", "brokkr_default_admin_pak_hash_in_use" },
        { "BrokkrWorkOrdersWaiting", "brokkr_work_order_oldest_pending_age_seconds" },
        { "BrokkrWorkOrderFailures", "brokkr_work_order_completions_total" },
        { "BrokkrDiagnosticRequestsUnanswered", "brokkr_diagnostic_requests_finished_total" },
    };

    private static IReadOnlyList<JsonObject> Alerts =>
        YamlDocuments.ParseFile(OperationsFiles.AlertRules)["groups"]!.AsArray()
            .SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!.AsObject())
            .Where(r => r["alert"] is not null).ToList();

    [Fact]
    public async Task Promtool_check_rules_passes()
    {
        var output = await ProcessRunner.RunAsync(RequiredTool.Promtool, ["check", "rules", OperationsFiles.AlertRules]);

        Assert.Contains($"SUCCESS: {Alerts.Count} rules found", output);
    }

    [Fact]
    public async Task Promtool_unit_tests_pass()
    {
        var tests = Directory.GetFiles(OperationsFiles.Deploy("prometheus", "tests"), "*.test.yml");
        Assert.NotEmpty(tests);

        var output = await ProcessRunner.RunAsync(RequiredTool.Promtool, ["test", "rules", .. tests]);

        Assert.Equal(tests.Length, Regex.Matches(output, @"^\s*SUCCESS\s*$", RegexOptions.Multiline).Count);
    }

    [Fact]
    public async Task The_example_prometheus_configuration_is_valid_and_loads_the_rules()
    {
        var config = OperationsFiles.Deploy("prometheus", "prometheus.yml");

        var output = await ProcessRunner.RunAsync(RequiredTool.Promtool, ["check", "config", config]);

        Assert.Contains("SUCCESS: 1 rule files found", output);
        var jobs = YamlDocuments.ParseFile(config)["scrape_configs"]!.AsArray()
            .ToDictionary(j => j!["job_name"]!.GetValue<string>(), j => j!.AsObject());
        Assert.Equal("/metrics", jobs["brokkr-broker"]["metrics_path"]!.GetValue<string>());
        Assert.EndsWith(":3000", jobs["brokkr-broker"]["static_configs"]![0]!["targets"]![0]!.GetValue<string>());
        Assert.Equal("/metrics", jobs["brokkr-agent"]["metrics_path"]!.GetValue<string>());
        Assert.EndsWith(":8080", jobs["brokkr-agent"]["static_configs"]![0]!["targets"]![0]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(RequiredAlerts))]
    public void Each_required_alert_exists_and_watches_its_family(string alert, string family)
    {
        var rule = Assert.Single(Alerts, a => a["alert"]!.GetValue<string>() == alert);

        Assert.Contains(family, rule["expr"]!.GetValue<string>());
    }

    [Fact]
    public void Every_alert_has_a_duration_a_severity_annotations_and_a_runbook_section()
    {
        var doc = File.Exists(OperationsFiles.MonitoringDoc) ? File.ReadAllText(OperationsFiles.MonitoringDoc) : "";
        var anchors = Heading().Matches(doc).Select(m => GitHubAnchor(m.Groups["text"].Value)).ToHashSet();

        foreach (var rule in Alerts)
        {
            var name = rule["alert"]!.GetValue<string>();
            Assert.True(rule["for"] is not null, $"{name} has no 'for:'");
            Assert.Contains(rule["labels"]?["severity"]?.GetValue<string>(), new[] { "critical", "warning", "info" });
            var annotations = rule["annotations"]!.AsObject();
            Assert.Contains("{{ $labels.", annotations["description"]!.GetValue<string>() + annotations["summary"]!.GetValue<string>());
            var runbook = annotations["runbook_url"]!.GetValue<string>();
            Assert.Equal($"docs/monitoring.md#{name.ToLowerInvariant()}", runbook);
            Assert.True(anchors.Contains(name.ToLowerInvariant()), $"docs/monitoring.md has no heading '{name}' for {runbook}");
        }
    }

    [Fact]
    public void Every_alert_is_unit_tested_both_firing_and_quiet()
    {
        var cases = Directory.GetFiles(OperationsFiles.Deploy("prometheus", "tests"), "*.test.yml")
            .SelectMany(f => YamlDocuments.ParseFile(f)["tests"]!.AsArray())
            .SelectMany(t => t!["alert_rule_test"]!.AsArray())
            .Select(c => (Alert: c!["alertname"]!.GetValue<string>(), Fires: (c["exp_alerts"]?.AsArray().Count ?? 0) > 0))
            .ToList();

        foreach (var name in Alerts.Select(a => a["alert"]!.GetValue<string>()))
        {
            Assert.True(cases.Contains((name, true)), $"no promtool test expects {name} to fire");
            Assert.True(cases.Contains((name, false)), $"no promtool test expects {name} to stay quiet");
        }
    }

    private static string GitHubAnchor(string heading) =>
        Regex.Replace(heading.Trim().ToLowerInvariant().Replace(' ', '-'), @"[^a-z0-9_\-]", "");

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex Heading();
}
