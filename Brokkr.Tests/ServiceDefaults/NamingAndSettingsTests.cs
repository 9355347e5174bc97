using System.Diagnostics;
using Brokkr.ServiceDefaults.Metrics;
using Brokkr.ServiceDefaults.Telemetry;
using Brokkr.ServiceDefaults.Tracing;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;

namespace Brokkr.Tests.ServiceDefaults;

public sealed class NamingAndSettingsTests
{
    [Theory]
    [InlineData("brokkr_http_requests_total", "{request}", PrometheusMetricType.Counter, "brokkr_http_requests_total")]
    [InlineData("brokkr_agent_poll_duration_seconds", "s", PrometheusMetricType.Histogram, "brokkr_agent_poll_duration_seconds")]
    [InlineData("process_cpu_seconds_total", "s", PrometheusMetricType.Counter, "process_cpu_seconds_total")]
    [InlineData("brokkr_stacks_total", "{stack}", PrometheusMetricType.Gauge, "brokkr_stacks_total")]
    [InlineData("http.server.request.duration", "s", PrometheusMetricType.Histogram, "http_server_request_duration_seconds")]
    [InlineData("dotnet.gc.heap.total_allocated", "By", PrometheusMetricType.Counter, "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("kestrel.active_connections", "{connection}", PrometheusMetricType.Gauge, "kestrel_active_connections")]
    [InlineData("queue.fill", "1", PrometheusMetricType.Gauge, "queue_fill_ratio")]
    [InlineData("queue.items", "1", PrometheusMetricType.Counter, "queue_items_total")]
    [InlineData("net.throughput", "By/s", PrometheusMetricType.Gauge, "net_throughput_bytes_per_second")]
    [InlineData("net.packets", "{packet}/s", PrometheusMetricType.Gauge, "net_packets_per_second")]
    [InlineData("api.load", "{req/s}", PrometheusMetricType.Gauge, "api_load")]
    [InlineData("api.served", "{req/s}", PrometheusMetricType.Counter, "api_served_total")]
    [InlineData("link.rate", "By/{tick/x}s", PrometheusMetricType.Gauge, "link_rate_bytes_per_second")]
    [InlineData("db.latency", "ms", PrometheusMetricType.Histogram, "db_latency_milliseconds")]
    [InlineData("9lives..x", "", PrometheusMetricType.Gauge, "_9lives_x")]
    [InlineData("weird-name/with spaces", null, PrometheusMetricType.Counter, "weird_name_with_spaces_total")]
    public void Family_names_follow_the_prometheus_rules(string instrument, string? unit, PrometheusMetricType type, string expected) =>
        Assert.Equal(expected, PrometheusNaming.FamilyName(instrument, unit, type));

    /// <summary>Expected texts are what Go's strconv.FormatFloat(v, 'g', -1, 64) prints, as the Prometheus Go client writes.</summary>
    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(1.0, "1")]
    [InlineData(-1.0, "-1")]
    [InlineData(0.1, "0.1")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(-2.5e-7, "-2.5e-07")]
    [InlineData(123456.0, "123456")]
    [InlineData(999999.5, "999999.5")]
    [InlineData(1e6, "1e+06")]
    [InlineData(1234567.0, "1.234567e+06")]
    [InlineData(1700000000.5, "1.7000000005e+09")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e100, "1e+100")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(double.MaxValue, "1.7976931348623157e+308")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    public void Numbers_are_written_as_the_prometheus_go_client_writes_them(double value, string expected) =>
        Assert.Equal(expected, PrometheusNumber.Format(value));

    [Fact]
    public void Global_labels_parse_sorted_and_reject_invalid_names()
    {
        Assert.Equal([new("env", "prod"), new("region", "eu-west=1")], MetricsSettings.ParseLabels(" region = eu-west=1 ,env=prod"));
        Assert.Throws<InvalidOperationException>(() => MetricsSettings.ParseLabels("__name__=x"));
        Assert.Throws<InvalidOperationException>(() => MetricsSettings.ParseLabels("env"));
        Assert.Throws<InvalidOperationException>(() => MetricsSettings.ParseLabels("env=a,env=b"));
    }

    private static OtelSettings Otel(params (string Key, string Value)[] values) =>
        OtelSettings.From(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void Otlp_is_on_only_when_an_endpoint_is_configured_or_requested()
    {
        Assert.Equal(["prometheus"], Otel().MetricsExporters);
        Assert.Empty(Otel().TracesExporters);
        var withEndpoint = Otel(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"));
        Assert.Equal(["otlp", "prometheus"], withEndpoint.MetricsExporters.Order());
        Assert.Equal(["otlp"], withEndpoint.TracesExporters);
        Assert.Empty(Otel(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), ("OTEL_METRICS_EXPORTER", "none")).MetricsExporters);
        Assert.True(Otel(("OTEL_SDK_DISABLED", "TRUE")).SdkDisabled);
    }

    [Fact]
    public void Signal_endpoints_follow_the_otlp_environment_rules()
    {
        var http = Otel(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"));
        Assert.Equal(OtlpExportProtocol.HttpProtobuf, http.Protocol);
        Assert.Equal(new Uri("http://collector:4318/v1/metrics"), http.SignalEndpoint(null, "/v1/metrics"));
        Assert.Equal(new Uri("http://other:9/custom"), http.SignalEndpoint("http://other:9/custom", "/v1/traces"));

        var grpc = Otel(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"));
        Assert.Equal(new Uri("http://collector:4317"), grpc.SignalEndpoint(null, "/v1/traces"));
        Assert.Throws<InvalidOperationException>(() => Otel(("OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon")));
    }

    [Fact]
    public void Http_json_falls_back_to_http_protobuf_with_a_warning()
    {
        var json = Otel(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"));

        Assert.Equal(OtlpExportProtocol.HttpProtobuf, json.Protocol);
        Assert.Equal(new Uri("http://collector:4318/v1/traces"), json.SignalEndpoint(null, "/v1/traces"));
        Assert.Contains("'http/json' is not supported by the .NET OTLP exporter; exporting with 'http/protobuf'", Assert.Single(json.Warnings));
        Assert.Empty(Otel(("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")).Warnings);
    }

    [Theory]
    [InlineData(null, null, "ParentBased{AlwaysOnSampler}")]
    [InlineData("always_on", null, "AlwaysOnSampler")]
    [InlineData("ALWAYS_OFF", null, "AlwaysOffSampler")]
    [InlineData("traceidratio", "0.25", "TraceIdRatioBasedSampler{0.250000}")]
    [InlineData("traceidratio", null, "TraceIdRatioBasedSampler{1.000000}")]
    [InlineData("parentbased_always_on", null, "ParentBased{AlwaysOnSampler}")]
    [InlineData("parentbased_always_off", null, "ParentBased{AlwaysOffSampler}")]
    [InlineData("parentbased_traceidratio", "0.5", "ParentBased{TraceIdRatioBasedSampler{0.500000}}")]
    public void Traces_sampler_follows_OTEL_TRACES_SAMPLER(string? sampler, string? argument, string description)
    {
        var settings = new List<(string, string)>();
        if (sampler is not null)
        {
            settings.Add(("OTEL_TRACES_SAMPLER", sampler));
        }

        if (argument is not null)
        {
            settings.Add(("OTEL_TRACES_SAMPLER_ARG", argument));
        }

        var otel = Otel([.. settings]);

        Assert.Equal(description, otel.Sampler.Description);
        Assert.Empty(otel.Warnings);
    }

    [Theory]
    [InlineData("jaeger_remote", null, "OTEL_TRACES_SAMPLER 'jaeger_remote' is not supported", "ParentBased{AlwaysOnSampler}")]
    [InlineData("traceidratio", "1.5", "OTEL_TRACES_SAMPLER_ARG '1.5' is not a probability", "TraceIdRatioBasedSampler{1.000000}")]
    [InlineData("parentbased_traceidratio", "half", "OTEL_TRACES_SAMPLER_ARG 'half' is not a probability", "ParentBased{TraceIdRatioBasedSampler{1.000000}}")]
    public void An_invalid_sampler_setting_falls_back_with_a_warning(string sampler, string? argument, string warning, string description)
    {
        var otel = argument is null
            ? Otel(("OTEL_TRACES_SAMPLER", sampler))
            : Otel(("OTEL_TRACES_SAMPLER", sampler), ("OTEL_TRACES_SAMPLER_ARG", argument));

        Assert.Equal(description, otel.Sampler.Description);
        Assert.StartsWith(warning, Assert.Single(otel.Warnings));
    }

    [Theory]
    [InlineData(null, true, false)]
    [InlineData("always_on", true, true)]
    [InlineData("always_off", false, false)]
    [InlineData("parentbased_always_off", false, false)]
    [InlineData("traceidratio", false, false, "0")]
    public void The_tracer_provider_samples_with_the_configured_sampler(string? sampler, bool recordsRoot, bool recordsUnsampledChild,
        string? argument = null)
    {
        // A source no other provider in the process listens to, so this provider's sampler alone decides.
        using var source = new ActivitySource("Test.Sampling." + Guid.NewGuid().ToString("N"));
        var settings = new List<(string, string)>();
        if (sampler is not null)
        {
            settings.Add(("OTEL_TRACES_SAMPLER", sampler));
        }

        if (argument is not null)
        {
            settings.Add(("OTEL_TRACES_SAMPLER_ARG", argument));
        }

        using var provider = TracingPipeline.Build(Otel([.. settings]), ResourceBuilder.CreateEmpty(), [source.Name]);
        var unsampledParent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, isRemote: true);

        using (var root = source.StartActivity("root"))
        {
            Assert.Equal(recordsRoot, root?.Recorded ?? false);
        }

        using var child = source.StartActivity("child", ActivityKind.Server, unsampledParent);
        Assert.Equal(recordsUnsampledChild, child?.Recorded ?? false);
    }

    [Fact]
    public void OTEL_SERVICE_NAME_wins_over_service_name_in_OTEL_RESOURCE_ATTRIBUTES()
    {
        var attributes = ("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attributes,service.instance.id=replica-1,team=platform");

        var both = Resource(Otel(("OTEL_SERVICE_NAME", "from-variable"), attributes));
        var attributesOnly = Resource(Otel(attributes));
        var neither = Resource(Otel());

        Assert.Equal("from-variable", both["service.name"]);
        Assert.Equal("replica-1", both["service.instance.id"]);
        Assert.Equal("platform", both["team"]);
        Assert.Equal("from-attributes", attributesOnly["service.name"]);
        Assert.Equal("brokkr-broker", neither["service.name"]);
        Assert.True(Guid.TryParse((string)neither["service.instance.id"], out _));
    }

    [Theory]
    [InlineData("Brokkr.Broker", "brokkr-broker")]
    [InlineData("Brokkr.Agent", "brokkr-agent")]
    [InlineData("My_Service.Api", "my-service-api")]
    public void The_default_service_name_is_the_application_name_in_dashed_lower_case(string application, string expected) =>
        Assert.Equal(expected, TelemetryResource.DefaultServiceName(application));

    private static Dictionary<string, object> Resource(OtelSettings otel) =>
        TelemetryResource.Create(otel, "Brokkr.Broker").Build().Attributes.ToDictionary(a => a.Key, a => a.Value);
}
