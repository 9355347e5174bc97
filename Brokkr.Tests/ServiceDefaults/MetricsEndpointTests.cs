using System.Diagnostics.Metrics;
using System.Net;
using Brokkr.ServiceDefaults.Configuration;
using Brokkr.ServiceDefaults.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.Tests.ServiceDefaults;

/// <summary>
/// /metrics over real HTTP. Hosts subscribe to every "Brokkr.*" meter in the process, so each test uses a meter
/// with a unique name and asserts only on its own families.
/// </summary>
public sealed class MetricsEndpointTests
{
    private static Meter UniqueMeter() => new("Brokkr.Tests." + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Metrics_endpoint_serves_brokkr_dotnet_and_process_families_as_text_0_0_4()
    {
        await using var host = await ServiceDefaultsHost.StartAsync(mapEndpoints: app => app.MapGet("/items/{id}", (int id) => id));
        using var meter = UniqueMeter();
        var family = "brokkr_test_" + Guid.NewGuid().ToString("N")[..8] + "_total";
        meter.CreateCounter<long>(family, null, "Test counter.").Add(4, new KeyValuePair<string, object?>("result", "success"));
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/items/7")).StatusCode);

        using var response = await host.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains($"# TYPE {family} counter\n# HELP {family} Test counter.\n{family}{{result=\"success\"}} 4\n", text);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text);
        Assert.Contains("http_route=\"/items/{id}\"", text);
        Assert.Contains("# TYPE kestrel_active_connections gauge", text);
        Assert.Contains("# TYPE dotnet_gc_collections_total counter", text);
        Assert.Contains("# TYPE dotnet_thread_pool_queue_length gauge", text);
        foreach (var process in new[] { "process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
                     "process_start_time_seconds", "process_open_fds", "process_max_fds" })
        {
            Assert.Contains($"\n{process}{{}} ", text);
        }

        var samples = ExpositionParser.Parse(text);
        Assert.InRange(samples.Single(s => s.Name == "process_start_time_seconds").Value,
            DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.True(samples.Single(s => s.Name == "process_resident_memory_bytes").Value > 10_000_000);
        var familyNames = text.Split('\n').Where(l => l.StartsWith("# TYPE ")).Select(l => l.Split(' ')[2]).Skip(1).ToList();
        Assert.StartsWith("# TYPE target_info gauge\n", text);
        Assert.Equal(familyNames.Order(StringComparer.Ordinal), familyNames);
        Assert.Equal(familyNames.Distinct(), familyNames);
    }

    [Fact]
    public async Task Openmetrics_is_served_to_a_scraper_that_asks_for_it()
    {
        await using var host = await ServiceDefaultsHost.StartAsync();
        using var meter = UniqueMeter();
        var family = "brokkr_om_" + Guid.NewGuid().ToString("N")[..8];
        meter.CreateCounter<long>(family + "_total", null, "OpenMetrics counter.").Add(2);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        // What Prometheus 2.x/3.x sends by default.
        request.Headers.TryAddWithoutValidation("Accept",
            "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2");

        using var response = await host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("application/openmetrics-text", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "1.0.0");
        // OpenMetrics names the counter family without _total and gives each series its _created timestamp.
        Assert.Contains($"# TYPE {family} counter\n# HELP {family} OpenMetrics counter.\n{family}_total{{}} 2\n{family}_created{{}} ", text);
        Assert.EndsWith("# EOF\n", text);
    }

    [Fact]
    public async Task Promtool_finds_nothing_in_brokkr_families_of_a_real_scrape()
    {
        await using var host = await ServiceDefaultsHost.StartAsync(
            new Dictionary<string, string?> { ["BROKKR:METRICS:GLOBAL_LABELS"] = "env=test" },
            mapEndpoints: app => app.MapGet("/ping", () => "pong"));
        using var meter = UniqueMeter();
        var prefix = "brokkr_lint_" + Guid.NewGuid().ToString("N")[..8];
        meter.CreateCounter<long>(prefix + "_requests_total", "{request}", "Requests.").Add(1, new KeyValuePair<string, object?>("method", "GET"));
        meter.CreateHistogram<double>(prefix + "_duration_seconds", "s", "Duration.").Record(0.2);
        meter.CreateUpDownCounter<int>(prefix + "_in_flight", "{request}", "In flight.").Add(1);
        meter.CreateObservableGauge(prefix + "_last_success_timestamp_seconds", () => 1.0, "s", "Last success.");
        await host.Client.GetStringAsync("/ping");

        var text = await host.Client.GetStringAsync("/metrics");
        var findings = await Promtool.CheckMetricsAsync(text);

        Assert.Contains(prefix + "_duration_seconds_bucket", text);
        // Only this test's families: meters are process-wide, so brokers that other test classes run in this process
        // show up here too (the broker's own families are linted in BrokerMetrics.MetricsJourneyTests).
        Assert.DoesNotContain(findings, f => f.StartsWith(prefix, StringComparison.Ordinal));
        // The built-in families may only draw the findings docs/monitoring.md documents ("promtool and the built-in
        // families"): a gauge whose OpenTelemetry semantic-convention name ends in "_count" (dotnet_process_cpu_count,
        // process_thread_count, …), and Entity Framework Core's instruments, which have no description (the exporter
        // writes no HELP line then). client_golang's process_* families draw none.
        Assert.All(findings.Where(f => !f.StartsWith("brokkr_", StringComparison.Ordinal)), f => Assert.True(
            f.EndsWith("non-histogram and non-summary metrics should not have \"_count\" suffix", StringComparison.Ordinal)
            || (f.StartsWith("microsoft_entityframeworkcore_", StringComparison.Ordinal) && f.EndsWith(" no help text", StringComparison.Ordinal)), f));
    }

    [Fact]
    public async Task Configuration_sets_path_global_labels_and_buckets()
    {
        var family = "brokkr_cfg_" + Guid.NewGuid().ToString("N")[..8] + "_duration_seconds";
        await using var host = await ServiceDefaultsHost.StartAsync(new Dictionary<string, string?>
        {
            ["BROKKR:METRICS:PATH"] = "/internal/prometheus",
            ["BROKKR:METRICS:GLOBAL_LABELS"] = "env=prod, region=eu",
            ["BROKKR:METRICS:INCLUDE_PROCESS_METRICS"] = "false",
            [$"BROKKR:METRICS:BUCKETS:{family.ToUpperInvariant()}"] = "0.5, 2",
        });
        using var meter = UniqueMeter();
        meter.CreateHistogram<double>(family, "s", "Configured buckets.").Record(1);

        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/metrics")).StatusCode);
        var text = await host.Client.GetStringAsync("/internal/prometheus");

        Assert.Contains(
            $$"""
            {{family}}_bucket{env="prod",region="eu",le="0.5"} 0
            {{family}}_bucket{env="prod",region="eu",le="2"} 1
            {{family}}_bucket{env="prod",region="eu",le="+Inf"} 1
            {{family}}_sum{env="prod",region="eu"} 1
            {{family}}_count{env="prod",region="eu"} 1

            """, text);
        Assert.DoesNotContain("process_cpu_seconds_total", text);
        Assert.All(ExpositionParser.Parse(text), s => Assert.Contains("env=\"prod\"", s.Labels));
    }

    [Fact]
    public async Task A_toml_file_sets_global_labels_and_buckets_as_lists()
    {
        var family = "brokkr_toml_" + Guid.NewGuid().ToString("N")[..8] + "_duration_seconds";
        var file = Path.Combine(Path.GetTempPath(), $"brokkr-{Guid.NewGuid():N}.toml");
        File.WriteAllText(file, $$"""
            [metrics]
            include_process_metrics = false
            buckets.{{family}} = [0.5, 2]

            [metrics.global_labels]
            env = "prod"
            """);
        try
        {
            await using var host = await ServiceDefaultsHost.StartAsync(configuration: configuration => configuration.AddBrokkrConfigFile(file));
            using var meter = UniqueMeter();
            meter.CreateHistogram<double>(family, "s", "Configured by file.").Record(1);

            var text = await host.Client.GetStringAsync("/metrics");

            Assert.Contains($"{family}_bucket{{env=\"prod\",le=\"0.5\"}} 0\n{family}_bucket{{env=\"prod\",le=\"2\"}} 1\n", text);
            Assert.DoesNotContain("process_cpu_seconds_total", text);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("BROKKR:METRICS:ENABLED", "false")]
    [InlineData("OTEL_SDK_DISABLED", "true")]
    public async Task Disabled_metrics_build_no_meter_provider_record_nothing_and_answer_404(string key, string value)
    {
        await using var host = await ServiceDefaultsHost.StartAsync(new Dictionary<string, string?> { [key] = value });
        // A host with metrics on in the same process: its MeterProvider listens to every Brokkr.* meter process-wide,
        // so the disabled host's instruments stay unrecorded only because they belong to the other host's factory.
        await using var enabled = await ServiceDefaultsHost.StartAsync();
        var name = "Brokkr.Tests." + Guid.NewGuid().ToString("N");
        var counter = host.App.Services.GetRequiredService<IMeterFactory>().Create(name).CreateCounter<long>("brokkr_disabled_total");
        var control = enabled.App.Services.GetRequiredService<IMeterFactory>().Create(name).CreateCounter<long>("brokkr_disabled_total");

        Assert.False(host.App.Services.GetRequiredService<BrokkrMetrics>().Enabled);
        Assert.False(counter.Enabled, "no listener records the disabled host's instruments");
        Assert.True(control.Enabled);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Counters_recorded_at_zero_are_in_the_first_scrape_and_stay_with_their_host()
    {
        await using var host = await ServiceDefaultsHost.StartAsync();
        await using var other = await ServiceDefaultsHost.StartAsync();
        var prefix = "brokkr_startup_" + Guid.NewGuid().ToString("N")[..8];
        var meter = host.App.Services.GetRequiredService<IMeterFactory>().Create("Brokkr.Tests." + Guid.NewGuid().ToString("N"));
        meter.CreateCounter<long>(prefix + "_requests_total", "{request}", "Requests by status.")
            .Add(0, new KeyValuePair<string, object?>("status", "ok"));
        meter.CreateHistogram<double>(prefix + "_duration_seconds", "s", "Durations.");
        meter.CreateCounter<long>(prefix + "_used_total", null, "Used.").Add(1);

        var text = await host.Client.GetStringAsync("/metrics");
        var otherText = await other.Client.GetStringAsync("/metrics");

        Assert.Contains($"\n{prefix}_requests_total{{status=\"ok\"}} 0\n", text);
        Assert.Contains($"\n{prefix}_used_total{{}} 1\n", text);
        // The exporter writes a family with its first point: a histogram never observed is not there yet.
        Assert.DoesNotContain(prefix + "_duration_seconds", text);
        Assert.DoesNotContain(prefix, otherText);
        Assert.Empty(await Promtool.CheckMetricsAsync(string.Join('\n', text.Split('\n').Where(l => l.Contains(prefix))) + "\n"));
    }

    [Fact]
    public async Task Invalid_configuration_stops_startup_with_a_clear_message()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceDefaultsHost.StartAsync(
            new Dictionary<string, string?> { ["BROKKR:METRICS:GLOBAL_LABELS"] = "bad-label=x" }));
        Assert.Contains("global_labels", error.Message);

        error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceDefaultsHost.StartAsync(
            new Dictionary<string, string?> { ["BROKKR:METRICS:BUCKETS:brokkr_x_seconds"] = "1,0.5" }));
        Assert.Contains("strictly increasing", error.Message);
    }

    [Fact]
    public async Task Metrics_and_health_endpoints_need_no_authentication_when_the_app_requires_it()
    {
        await using var host = await ServiceDefaultsHost.StartAsync(
            configureServices: builder => builder.Services.AddAuthentication().AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, RejectAllHandler>("reject", null)
                .Services.AddAuthorizationBuilder().SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder("reject").RequireAuthenticatedUser().Build()),
            mapEndpoints: app => app.MapGet("/secret", () => "secret"));

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/secret")).StatusCode);
        foreach (var path in new[] { "/metrics", "/healthz", "/readyz", "/health", "/alive" })
        {
            Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync(path)).StatusCode);
        }
    }

    private sealed class RejectAllHandler(
        Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions> options,
        Microsoft.Extensions.Logging.ILoggerFactory logger, System.Text.Encodings.Web.UrlEncoder encoder)
        : Microsoft.AspNetCore.Authentication.AuthenticationHandler<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<Microsoft.AspNetCore.Authentication.AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(Microsoft.AspNetCore.Authentication.AuthenticateResult.NoResult());
    }
}
