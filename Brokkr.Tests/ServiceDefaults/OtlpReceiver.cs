using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Brokkr.Tests.ServiceDefaults;

/// <summary>
/// An OTLP/HTTP protobuf receiver on 127.0.0.1:0 that decodes just enough of each request: metric names, log bodies,
/// resource attributes, and spans with ids, names and string/int attributes.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    public sealed record Span(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, Dictionary<string, string> Attributes, Dictionary<string, string> Resource);

    private readonly WebApplication app;

    private OtlpReceiver(WebApplication app) => this.app = app;

    public Uri Endpoint => new(app.Urls.First());

    public ConcurrentBag<(string Name, Dictionary<string, string> Resource)> Metrics { get; } = [];

    public ConcurrentBag<Span> Spans { get; } = [];

    public ConcurrentBag<(string Body, Dictionary<string, string> Resource)> Logs { get; } = [];

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/metrics", async (HttpRequest request) => { receiver.ReceiveMetrics(await Body(request)); return Ok(); });
        app.MapPost("/v1/traces", async (HttpRequest request) => { receiver.ReceiveTraces(await Body(request)); return Ok(); });
        app.MapPost("/v1/logs", async (HttpRequest request) => { receiver.ReceiveLogs(await Body(request)); return Ok(); });
        await app.StartAsync();
        return receiver;
    }

    private static IResult Ok() => Results.Bytes([], "application/x-protobuf");

    private static async Task<byte[]> Body(HttpRequest request)
    {
        Assert.Equal("application/x-protobuf", request.ContentType);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private void ReceiveMetrics(byte[] body)
    {
        foreach (var resourceMetrics in ProtobufReader.Read(body).Path(1))
        {
            var resource = Attributes(resourceMetrics.Message.Path(1, 1));
            foreach (var metric in resourceMetrics.Message.Path(2, 2))
            {
                Metrics.Add((metric.Message.Path(1).Single().String, resource));
            }
        }
    }

    private void ReceiveTraces(byte[] body)
    {
        foreach (var resourceSpans in ProtobufReader.Read(body).Path(1))
        {
            var resource = Attributes(resourceSpans.Message.Path(1, 1));
            foreach (var span in resourceSpans.Message.Path(2, 2).Select(s => s.Message.ToList()))
            {
                Spans.Add(new Span(
                    span.Single(f => f.Number == 1).Hex,
                    span.Single(f => f.Number == 2).Hex,
                    span.SingleOrDefault(f => f.Number == 4).Hex,
                    span.Single(f => f.Number == 5).String,
                    (int)span.SingleOrDefault(f => f.Number == 6).Varint,
                    Attributes(span.Where(f => f.Number == 9)),
                    resource));
            }
        }
    }

    /// <summary>LogsData{resource_logs=1{resource=1, scope_logs=2{log_records=2{body=5 AnyValue{string_value=1}}}}}.</summary>
    private void ReceiveLogs(byte[] body)
    {
        foreach (var resourceLogs in ProtobufReader.Read(body).Path(1))
        {
            var resource = Attributes(resourceLogs.Message.Path(1, 1));
            foreach (var record in resourceLogs.Message.Path(2, 2))
            {
                Logs.Add((record.Message.Path(5, 1).FirstOrDefault().String ?? "", resource));
            }
        }
    }

    /// <summary>KeyValue{key=1, value=AnyValue{string_value=1, bool_value=2, int_value=3}}.</summary>
    private static Dictionary<string, string> Attributes(IEnumerable<ProtobufField> keyValues)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var keyValue in keyValues.Select(kv => kv.Message.ToList()))
        {
            var key = keyValue.Single(f => f.Number == 1).String;
            var value = keyValue.SingleOrDefault(f => f.Number == 2).Message.FirstOrDefault();
            attributes[key] = value.Number switch
            {
                1 => value.String,
                2 => value.Varint != 0 ? "true" : "false",
                3 => ((long)value.Varint).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => "",
            };
        }

        return attributes;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails after 20 s.</summary>
    public async Task WaitUntilAsync(Func<OtlpReceiver, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition(this))
        {
            Assert.True(DateTime.UtcNow < deadline, $"OTLP receiver did not get {what} within 20 s");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
