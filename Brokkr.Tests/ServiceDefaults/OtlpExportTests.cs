using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Brokkr.Tests.ServiceDefaults;

public sealed class OtlpExportTests
{
    [Fact]
    public async Task Without_OTEL_SERVICE_NAME_the_service_is_named_after_its_application()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var host = await ServiceDefaultsHost.StartAsync(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
        });
        using var meter = new Meter("Brokkr.Tests." + Guid.NewGuid().ToString("N"));
        var counterName = "brokkr_named_" + Guid.NewGuid().ToString("N")[..8] + "_total";
        meter.CreateCounter<long>(counterName).Add(1);

        // The broker's application is Brokkr.Broker (→ brokkr-broker); this host's is the test runner's entry assembly.
        var expected = Brokkr.ServiceDefaults.Telemetry.TelemetryResource.DefaultServiceName(host.App.Environment.ApplicationName);
        Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", expected);
        await receiver.WaitUntilAsync(r => r.Metrics.Any(m => m.Name == counterName && m.Resource.GetValueOrDefault("service.name") == expected),
            $"metric {counterName} from service {expected}");
    }

    [Fact]
    public async Task Otlp_endpoint_pushes_metrics_logs_and_named_server_spans()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var service = "otlp-test-" + Guid.NewGuid().ToString("N")[..8];
        var route = "/orders-" + Guid.NewGuid().ToString("N")[..8] + "/{id}";
        await using var host = await ServiceDefaultsHost.StartAsync(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = service,
            ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment=test,team=platform",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        }, mapEndpoints: app => app.MapGet(route, (int id, ILogger<OtlpExportTests> logger) =>
        {
            logger.LogWarning("Order {OrderId} looked up", id);
            return Results.Ok(id);
        }));
        using var meter = new Meter("Brokkr.Tests." + Guid.NewGuid().ToString("N"));
        var counterName = "brokkr_otlp_" + Guid.NewGuid().ToString("N")[..8] + "_total";
        meter.CreateCounter<long>(counterName).Add(1);

        var path = route.Replace("{id}", "5", StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await host.Client.GetAsync(path + "?q=1")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await host.Client.GetAsync("/metrics")).StatusCode);

        await receiver.WaitUntilAsync(r => r.Metrics.Any(m => m.Name == counterName && m.Resource.GetValueOrDefault("service.name") == service),
            $"metric {counterName}");
        await receiver.WaitUntilAsync(r => r.Metrics.Any(m => m.Name == "http.server.request.duration"), "http.server.request.duration");
        await receiver.WaitUntilAsync(r => r.Spans.Any(s => s.Name == "GET " + route), $"span GET {route}");
        await receiver.WaitUntilAsync(r => r.Logs.Any(l => l.Body == "Order 5 looked up" && l.Resource.GetValueOrDefault("service.name") == service),
            "the handler's log record");

        var span = receiver.Spans.First(s => s.Name == "GET " + route);
        Assert.Equal(2, span.Kind); // SPAN_KIND_SERVER
        Assert.Equal(service, span.Resource["service.name"]);
        Assert.Equal("platform", span.Resource["team"]);
        Assert.Equal("GET", span.Attributes["http.request.method"]);
        Assert.Equal(route, span.Attributes["http.route"]);
        Assert.Equal("200", span.Attributes["http.response.status_code"]);
        Assert.Equal(path, span.Attributes["url.path"]);
        Assert.Equal("http", span.Attributes["url.scheme"]);
        Assert.Equal("127.0.0.1", span.Attributes["server.address"]);
        Assert.Equal(host.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), span.Attributes["server.port"]);
        Assert.Equal("1.1", span.Attributes["network.protocol.version"]);
        Assert.DoesNotContain(receiver.Spans, s => s.Attributes.GetValueOrDefault("url.path") == "/metrics" && s.Resource.GetValueOrDefault("service.name") == service);
    }
}
