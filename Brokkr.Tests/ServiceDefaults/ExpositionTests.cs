using System.Diagnostics.Metrics;
using Brokkr.ServiceDefaults.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Brokkr.Tests.ServiceDefaults;

/// <summary>
/// Exact exposition text for every instrument kind. Each test owns a uniquely named meter and a MeterProvider that
/// subscribes to it alone, so instruments created by hosts in parallel tests never show up here.
/// </summary>
public sealed class ExpositionTests : IDisposable
{
    private readonly Meter meter = new("Test.Exposition." + Guid.NewGuid().ToString("N"));
    private readonly List<IDisposable> providers = [];

    public void Dispose()
    {
        providers.ForEach(p => p.Dispose());
        meter.Dispose();
    }

    private PrometheusTextExporter Exporter(IReadOnlyList<KeyValuePair<string, string>>? globalLabels = null,
        Func<Instrument, MetricStreamConfiguration?>? view = null, ILogger? logger = null, Func<Instrument, bool>? describe = null,
        params Meter[] otherMeters)
    {
        var exporter = new PrometheusTextExporter(new PrometheusExporterOptions
        {
            IncludeProcessMetrics = false,
            GlobalLabels = globalLabels ?? [],
            Logger = logger ?? NullLogger.Instance,
            DescribeBeforeFirstPoint = describe,
        });
        var builder = Sdk.CreateMeterProviderBuilder().AddMeter([meter.Name, .. otherMeters.Select(m => m.Name)])
            .AddReader(new BaseExportingMetricReader(exporter));
        if (view is not null)
        {
            builder.AddView(view);
        }

        providers.Add(builder.Build());
        return exporter;
    }

    [Fact]
    public void Counter_with_labels_keeps_its_total_name_and_sorts_series()
    {
        var exporter = Exporter();
        var counter = meter.CreateCounter<long>("brokkr_test_requests_total", "{request}", "Requests handled.");
        counter.Add(1, new("status", "201"), new("method", "POST"));
        counter.Add(3, new("method", "GET"), new("status", "200"));

        Assert.Equal(
            """
            # HELP brokkr_test_requests_total Requests handled.
            # TYPE brokkr_test_requests_total counter
            brokkr_test_requests_total{method="GET",status="200"} 3
            brokkr_test_requests_total{method="POST",status="201"} 1

            """, exporter.Scrape());
    }

    [Fact]
    public void Counter_without_labels_gets_total_and_unit_suffixes()
    {
        var exporter = Exporter();
        var seconds = meter.CreateCounter<double>("test.busy.time", "s", "Time spent busy.");
        var jobs = meter.CreateCounter<long>("test.jobs.completed", "{job}", "Jobs completed.");
        seconds.Add(1.5);
        seconds.Add(0.25);
        jobs.Add(7);

        Assert.Equal(
            """
            # HELP test_busy_time_seconds_total Time spent busy.
            # TYPE test_busy_time_seconds_total counter
            test_busy_time_seconds_total 1.75
            # HELP test_jobs_completed_total Jobs completed.
            # TYPE test_jobs_completed_total counter
            test_jobs_completed_total 7

            """, exporter.Scrape());
    }

    [Fact]
    public void Up_down_counter_is_a_gauge()
    {
        var exporter = Exporter();
        var inFlight = meter.CreateUpDownCounter<long>("brokkr_test_requests_in_flight", "{request}", "Requests being served.");
        inFlight.Add(5, new KeyValuePair<string, object?>("route", "/a"));
        inFlight.Add(-2, new KeyValuePair<string, object?>("route", "/a"));
        inFlight.Add(-1);

        Assert.Equal(
            """
            # HELP brokkr_test_requests_in_flight Requests being served.
            # TYPE brokkr_test_requests_in_flight gauge
            brokkr_test_requests_in_flight -1
            brokkr_test_requests_in_flight{route="/a"} 3

            """, exporter.Scrape());
    }

    [Fact]
    public void Observable_gauge_reports_the_latest_observation_with_unit_suffix()
    {
        var exporter = Exporter();
        var value = 1_700_000_000.5;
        meter.CreateObservableGauge("brokkr_test_last_poll_timestamp", () => value, "s", "Unix time of the last poll.");
        meter.CreateObservableGauge("test.queue.fill", () => new Measurement<double>(0.25, new KeyValuePair<string, object?>("queue", "q1")),
            "1", "Queue fill level.");

        var first = exporter.Scrape();
        value = 1_700_000_010;
        var second = exporter.Scrape();

        Assert.Equal(
            """
            # HELP brokkr_test_last_poll_timestamp_seconds Unix time of the last poll.
            # TYPE brokkr_test_last_poll_timestamp_seconds gauge
            brokkr_test_last_poll_timestamp_seconds 1.7000000005e+09
            # HELP test_queue_fill_ratio Queue fill level.
            # TYPE test_queue_fill_ratio gauge
            test_queue_fill_ratio{queue="q1"} 0.25

            """, first);
        Assert.Contains("brokkr_test_last_poll_timestamp_seconds 1.70000001e+09\n", second);
    }

    [Fact]
    public void Histogram_has_cumulative_buckets_with_inf_sum_and_count()
    {
        var exporter = Exporter();
        var duration = meter.CreateHistogram("brokkr_test_operation_duration_seconds", "s", "Operation duration.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.125, 0.5, 1] });
        var size = meter.CreateHistogram<long>("test.payload.size", "By", "Payload size.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [100, 1000] });
        foreach (var seconds in new[] { 0.0625, 0.25, 0.75, 2 })
        {
            duration.Record(seconds, new KeyValuePair<string, object?>("operation", "apply"));
        }

        duration.Record(0.5, new KeyValuePair<string, object?>("operation", "delete"));
        size.Record(50);
        size.Record(5000);

        Assert.Equal(
            """
            # HELP brokkr_test_operation_duration_seconds Operation duration.
            # TYPE brokkr_test_operation_duration_seconds histogram
            brokkr_test_operation_duration_seconds_bucket{operation="apply",le="0.125"} 1
            brokkr_test_operation_duration_seconds_bucket{operation="apply",le="0.5"} 2
            brokkr_test_operation_duration_seconds_bucket{operation="apply",le="1"} 3
            brokkr_test_operation_duration_seconds_bucket{operation="apply",le="+Inf"} 4
            brokkr_test_operation_duration_seconds_sum{operation="apply"} 3.0625
            brokkr_test_operation_duration_seconds_count{operation="apply"} 4
            brokkr_test_operation_duration_seconds_bucket{operation="delete",le="0.125"} 0
            brokkr_test_operation_duration_seconds_bucket{operation="delete",le="0.5"} 1
            brokkr_test_operation_duration_seconds_bucket{operation="delete",le="1"} 1
            brokkr_test_operation_duration_seconds_bucket{operation="delete",le="+Inf"} 1
            brokkr_test_operation_duration_seconds_sum{operation="delete"} 0.5
            brokkr_test_operation_duration_seconds_count{operation="delete"} 1
            # HELP test_payload_size_bytes Payload size.
            # TYPE test_payload_size_bytes histogram
            test_payload_size_bytes_bucket{le="100"} 1
            test_payload_size_bytes_bucket{le="1000"} 1
            test_payload_size_bytes_bucket{le="+Inf"} 2
            test_payload_size_bytes_sum 5050
            test_payload_size_bytes_count 2

            """, exporter.Scrape());
    }

    [Fact]
    public void Bucket_bounds_and_values_use_go_style_exponents()
    {
        var exporter = Exporter();
        var size = meter.CreateHistogram<double>("brokkr_test_tiny_seconds", "s", "Tiny durations.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00001, 0.0001, 1e6] });
        size.Record(0.00002);
        size.Record(2e6);

        Assert.Equal(
            """
            # HELP brokkr_test_tiny_seconds Tiny durations.
            # TYPE brokkr_test_tiny_seconds histogram
            brokkr_test_tiny_seconds_bucket{le="1e-05"} 0
            brokkr_test_tiny_seconds_bucket{le="0.0001"} 1
            brokkr_test_tiny_seconds_bucket{le="1e+06"} 1
            brokkr_test_tiny_seconds_bucket{le="+Inf"} 2
            brokkr_test_tiny_seconds_sum 2.00000000002e+06
            brokkr_test_tiny_seconds_count 2

            """, exporter.Scrape());
    }

    [Fact]
    public void Described_instruments_without_points_get_help_and_type_lines_only()
    {
        using var builtIn = new Meter(meter.Name + ".BuiltIn");
        var exporter = Exporter(describe: instrument => instrument.Meter == meter, otherMeters: builtIn);
        meter.CreateCounter<long>("brokkr_test_unused_total", "{request}", "Not counted yet.");
        meter.CreateHistogram<double>("brokkr_test_unused_seconds", "s", "Not observed yet.");
        meter.CreateUpDownCounter<int>("brokkr_test_unused_in_flight", null, "Never moved.");
        meter.CreateObservableGauge("brokkr_test_unobserved", () => Array.Empty<Measurement<double>>(), null, "Observes nothing.");
        meter.CreateCounter<long>("brokkr_test_undescribed_total");
        meter.CreateCounter<long>("brokkr_test_used_total", null, "Counted.").Add(2, new KeyValuePair<string, object?>("kind", "a"));
        builtIn.CreateCounter<long>("test_builtin_unused_total", null, "A built-in meter's: no points, no family.");

        Assert.Equal(
            $$"""
            # HELP brokkr_test_undescribed_total brokkr_test_undescribed_total from the {{meter.Name}} meter.
            # TYPE brokkr_test_undescribed_total counter
            # HELP brokkr_test_unobserved Observes nothing.
            # TYPE brokkr_test_unobserved gauge
            # HELP brokkr_test_unused_in_flight Never moved.
            # TYPE brokkr_test_unused_in_flight gauge
            # HELP brokkr_test_unused_seconds Not observed yet.
            # TYPE brokkr_test_unused_seconds histogram
            # HELP brokkr_test_unused_total Not counted yet.
            # TYPE brokkr_test_unused_total counter
            # HELP brokkr_test_used_total Counted.
            # TYPE brokkr_test_used_total counter
            brokkr_test_used_total{kind="a"} 2

            """, exporter.Scrape());
    }

    [Fact]
    public void A_disposed_meter_s_families_disappear()
    {
        var described = new Meter(meter.Name + ".Disposed");
        var exporter = Exporter(describe: instrument => instrument.Meter == described, otherMeters: described);
        described.CreateCounter<long>("brokkr_test_gone_total", null, "Goes away.");
        Assert.Equal("# HELP brokkr_test_gone_total Goes away.\n# TYPE brokkr_test_gone_total counter\n", exporter.Scrape());

        described.Dispose();

        Assert.Equal("", exporter.Scrape());
    }

    [Fact]
    public void Without_a_description_rule_only_families_with_points_are_written()
    {
        var exporter = Exporter();
        meter.CreateCounter<long>("brokkr_test_silent_total", null, "Never counted.");

        Assert.Equal("", exporter.Scrape());
    }

    [Fact]
    public void Label_values_and_help_are_escaped_and_attribute_keys_sanitised()
    {
        var exporter = Exporter();
        var counter = meter.CreateCounter<long>("brokkr_test_escapes_total", null, "Path C:\\temp\nsecond line \"quoted\".");
        counter.Add(1, new KeyValuePair<string, object?>("http.path", "C:\\dir \"x\"\nnext"));

        Assert.Equal(
            """
            # HELP brokkr_test_escapes_total Path C:\\temp\nsecond line "quoted".
            # TYPE brokkr_test_escapes_total counter
            brokkr_test_escapes_total{http_path="C:\\dir \"x\"\nnext"} 1

            """, exporter.Scrape());
    }

    [Fact]
    public void Array_attribute_values_are_json_encoded()
    {
        var exporter = Exporter();
        var counter = meter.CreateCounter<long>("brokkr_test_arrays_total", null, "Array attributes.");
        counter.Add(1, new("names", new[] { "a", "b \"c\"" }), new("ports", new[] { 80, 443 }));
        counter.Add(2, new KeyValuePair<string, object?>("flags", new[] { true, false }));

        Assert.Equal(
            """
            # HELP brokkr_test_arrays_total Array attributes.
            # TYPE brokkr_test_arrays_total counter
            brokkr_test_arrays_total{flags="[true,false]"} 2
            brokkr_test_arrays_total{names="[\"a\",\"b \\\"c\\\"\"]",ports="[80,443]"} 1

            """, exporter.Scrape());
    }

    [Fact]
    public void A_histogram_attribute_named_le_becomes_exported_le()
    {
        var exporter = Exporter();
        var histogram = meter.CreateHistogram<double>("brokkr_test_le_seconds", "s", "Attribute le.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1] });
        histogram.Record(0.5, new KeyValuePair<string, object?>("le", "attribute"));
        histogram.Record(2, new("le", "b"), new("exported_le", "a"));
        var counter = meter.CreateCounter<long>("brokkr_test_le_total", null, "Counters keep le.");
        counter.Add(1, new KeyValuePair<string, object?>("le", "kept"));

        Assert.Equal(
            """
            # HELP brokkr_test_le_seconds Attribute le.
            # TYPE brokkr_test_le_seconds histogram
            brokkr_test_le_seconds_bucket{exported_le="a;b",le="1"} 0
            brokkr_test_le_seconds_bucket{exported_le="a;b",le="+Inf"} 1
            brokkr_test_le_seconds_sum{exported_le="a;b"} 2
            brokkr_test_le_seconds_count{exported_le="a;b"} 1
            brokkr_test_le_seconds_bucket{exported_le="attribute",le="1"} 1
            brokkr_test_le_seconds_bucket{exported_le="attribute",le="+Inf"} 1
            brokkr_test_le_seconds_sum{exported_le="attribute"} 0.5
            brokkr_test_le_seconds_count{exported_le="attribute"} 1
            # HELP brokkr_test_le_total Counters keep le.
            # TYPE brokkr_test_le_total counter
            brokkr_test_le_total{le="kept"} 1

            """, exporter.Scrape());
    }

    [Fact]
    public void One_name_from_two_meters_gets_scope_labels_and_a_type_conflict_is_warned_once()
    {
        using var other = new Meter(meter.Name + ".Other", "2.1");
        var log = new LogCapture();
        var exporter = Exporter(logger: log, otherMeters: other);
        meter.CreateCounter<long>("brokkr_test_shared_total", null, "From the first meter.").Add(1, new KeyValuePair<string, object?>("kind", "a"));
        other.CreateCounter<long>("brokkr_test_shared_total", null, "From the second meter.").Add(2, new KeyValuePair<string, object?>("kind", "a"));
        meter.CreateCounter<long>("brokkr_test_alone_total", null, "One meter only.").Add(3);
        meter.CreateUpDownCounter<long>("brokkr_test_mixed", null, "A gauge.").Add(4);
        other.CreateHistogram<double>("brokkr_test_mixed", null, "A histogram.").Record(5);

        var first = exporter.Scrape();
        var second = exporter.Scrape();

        Assert.Equal(
            $$"""
            # HELP brokkr_test_alone_total One meter only.
            # TYPE brokkr_test_alone_total counter
            brokkr_test_alone_total 3
            # HELP brokkr_test_mixed A gauge.
            # TYPE brokkr_test_mixed gauge
            brokkr_test_mixed 4
            # HELP brokkr_test_shared_total From the first meter.
            # TYPE brokkr_test_shared_total counter
            brokkr_test_shared_total{kind="a",otel_scope_name="{{meter.Name}}"} 1
            brokkr_test_shared_total{kind="a",otel_scope_name="{{other.Name}}",otel_scope_version="2.1"} 2

            """, first);
        Assert.Equal(first, second);
        var warning = Assert.Single(log.Lines);
        Assert.Equal($"Warning: Prometheus exposition: brokkr_test_mixed: dropped instrument brokkr_test_mixed of meter {other.Name}, " +
            "a histogram, because the family is a gauge.", warning);
    }

    [Fact]
    public void Two_instruments_of_one_meter_writing_one_series_keep_the_first()
    {
        var log = new LogCapture();
        var exporter = Exporter(logger: log);
        meter.CreateCounter<double>("test.busy", "s", "Busy time.").Add(1);
        meter.CreateCounter<double>("test_busy_seconds_total", null, "Busy time again.").Add(2);

        Assert.Equal(
            """
            # HELP test_busy_seconds_total Busy time.
            # TYPE test_busy_seconds_total counter
            test_busy_seconds_total 1

            """, exporter.Scrape());
        exporter.Scrape();
        Assert.Equal($"Warning: Prometheus exposition: test_busy_seconds_total: dropped a series of instrument test_busy_seconds_total " +
            $"of meter {meter.Name} because another instrument already wrote a series with the same labels.", Assert.Single(log.Lines));
    }

    [Fact]
    public void Global_labels_are_added_to_every_series_but_do_not_override_own_labels()
    {
        var exporter = Exporter([new("env", "prod"), new("region", "eu")]);
        var counter = meter.CreateCounter<long>("brokkr_test_global_total", null, "Global label test.");
        counter.Add(2, new KeyValuePair<string, object?>("region", "us"));
        counter.Add(1);

        Assert.Equal(
            """
            # HELP brokkr_test_global_total Global label test.
            # TYPE brokkr_test_global_total counter
            brokkr_test_global_total{env="prod",region="eu"} 1
            brokkr_test_global_total{env="prod",region="us"} 2

            """, exporter.Scrape());
    }

    [Fact]
    public void Configured_buckets_override_the_instrument_advice()
    {
        var buckets = new Dictionary<string, double[]> { ["brokkr_test_poll_duration_seconds"] = [1, 5] };
        var exporter = Exporter(view: instrument => MetricsPipeline.BucketView(instrument, buckets));
        var histogram = meter.CreateHistogram("brokkr_test_poll_duration_seconds", "s", "Poll duration.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.2] });
        histogram.Record(3);

        Assert.Equal(
            """
            # HELP brokkr_test_poll_duration_seconds Poll duration.
            # TYPE brokkr_test_poll_duration_seconds histogram
            brokkr_test_poll_duration_seconds_bucket{le="1"} 0
            brokkr_test_poll_duration_seconds_bucket{le="5"} 1
            brokkr_test_poll_duration_seconds_bucket{le="+Inf"} 1
            brokkr_test_poll_duration_seconds_sum 3
            brokkr_test_poll_duration_seconds_count 1

            """, exporter.Scrape());
    }

    [Theory]
    [InlineData(null, 2000)]
    [InlineData(5000, 3000)]
    public void Cardinality_limit_folds_excess_series_into_one_overflow_series(int? limit, int expectedSeries)
    {
        var settings = new MetricsSettings(true, "/metrics", false, [], new Dictionary<string, double[]>(), limit);
        var exporter = Exporter(view: instrument => MetricsPipeline.StreamView(instrument, settings));
        var counter = meter.CreateCounter<long>("brokkr_test_agents_total", null, "Per-agent counter.");
        for (var i = 0; i < 3000; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("agent", "a" + i));
        }

        var series = exporter.Scrape().Split('\n').Where(l => l.StartsWith("brokkr_test_agents_total{", StringComparison.Ordinal)).ToList();

        Assert.Equal(expectedSeries, series.Count(l => l.Contains("agent=")));
        Assert.Equal(limit is null, series.Contains("brokkr_test_agents_total{otel_metric_overflow=\"true\"} " + (3000 - expectedSeries)));
    }

    [Fact]
    public void A_cardinality_limit_keeps_the_advised_histogram_buckets()
    {
        var settings = new MetricsSettings(true, "/metrics", false, [], new Dictionary<string, double[]>(), 10);
        var exporter = Exporter(view: instrument => MetricsPipeline.StreamView(instrument, settings));
        meter.CreateHistogram("brokkr_test_limited_seconds", "s", "Limited.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.2] }).Record(0.15);

        Assert.Contains("brokkr_test_limited_seconds_bucket{le=\"0.2\"} 1\nbrokkr_test_limited_seconds_bucket{le=\"+Inf\"} 1\n", exporter.Scrape());
    }

    [Fact]
    public async Task Scrapes_while_other_threads_record_are_consistent_and_end_exact()
    {
        var exporter = Exporter();
        var counter = meter.CreateCounter<long>("brokkr_test_concurrent_total", null, "Concurrent adds.");
        var histogram = meter.CreateHistogram("brokkr_test_concurrent_seconds", "s", "Concurrent records.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5] });
        const int writers = 3, addsPerWriter = 20_000;
        using var start = new Barrier(writers + 2);

        var recording = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < addsPerWriter; i++)
            {
                counter.Add(1, new KeyValuePair<string, object?>("writer", w));
                histogram.Record(i % 2 == 0 ? 0.25 : 1);
            }
        })).ToArray();
        var scraping = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            var scrapes = new List<string>();
            while (!recording.All(t => t.IsCompleted))
            {
                scrapes.Add(exporter.Scrape());
            }

            return scrapes;
        })).ToArray();
        await Task.WhenAll(recording);
        foreach (var scrapes in await Task.WhenAll(scraping))
        {
            var previous = 0.0;
            foreach (var text in scrapes)
            {
                var values = ExpositionParser.Parse(text);
                var total = values.Where(v => v.Name == "brokkr_test_concurrent_total").Sum(v => v.Value);
                Assert.True(total >= previous, "counter went backwards between scrapes");
                previous = total;
                if (values.Any(v => v.Name == "brokkr_test_concurrent_seconds_count"))
                {
                    Assert.Equal(values.Single(v => v.Name == "brokkr_test_concurrent_seconds_count").Value,
                        values.Single(v => v.Name == "brokkr_test_concurrent_seconds_bucket" && v.Labels == "le=\"+Inf\"").Value);
                }
            }
        }

        var final = ExpositionParser.Parse(exporter.Scrape());
        Assert.Equal(writers * addsPerWriter, final.Where(v => v.Name == "brokkr_test_concurrent_total").Sum(v => v.Value));
        Assert.Equal(writers * addsPerWriter / 2, final.Single(v => v.Name == "brokkr_test_concurrent_seconds_bucket" && v.Labels == "le=\"0.5\"").Value);
    }

    [Fact]
    public void Scrape_without_a_provider_fails_clearly()
    {
        var exporter = new PrometheusTextExporter();
        Assert.Throws<InvalidOperationException>(exporter.Scrape);
    }
}
