using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Brokkr.Tests.Broker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Brokkr.Tests.BrokerMetrics;

/// <summary>
/// A metered in-process broker with a 1,000-byte body limit, <c>/readyz</c> excluded, and three endpoints of its own:
/// one that throws, one that throws after its response started, one that waits until the client hangs up.
/// </summary>
public sealed class HttpEdgeBroker : MeteredBroker
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>(base.ExtraSettings)
    {
        ["Brokkr:Broker:max_request_body_bytes"] = "1000",
        ["Brokkr:Broker:metrics_excluded_paths"] = "/readyz",
    };

    protected override void Configure(WebApplication app)
    {
        app.MapGet("/test/throw", () => ThrowingHandler());
        app.MapGet("/test/throw-after-start", async (HttpContext context) =>
        {
            await context.Response.WriteAsync("partial");
            await context.Response.Body.FlushAsync();
            ThrowingHandler();
        });
        app.MapGet("/test/wait", (HttpContext context) => Task.Delay(Timeout.Infinite, context.RequestAborted));
    }

    private static IResult ThrowingHandler() => throw new InvalidOperationException("a bug");
}

/// <summary>The HTTP families on the paths that do not end in a normal response.</summary>
public sealed class HttpEdgeTests(HttpEdgeBroker broker) : IClassFixture<HttpEdgeBroker>
{
    private const string Requests = "brokkr_http_requests_total";
    private const string RequestSize = "brokkr_http_request_size_bytes";

    private MeterReader Metrics => broker.Metrics;

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_that_read_no_bytes()
    {
        using var response = await broker.Client().PostAsync("/api/v1/agents",
            new StringContent(new string('x', 2000), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);

        Assert.Equal(1, Metrics.Count(Requests, ("endpoint", "/api/v1/agents"), ("method", "POST"), ("status", "413")));
        Assert.Equal(1, Metrics.Count(RequestSize, ("endpoint", "/api/v1/agents"), ("method", "POST")));
        Assert.Equal(0, Metrics.Sum(RequestSize, ("endpoint", "/api/v1/agents"), ("method", "POST")));
        Assert.Equal(0, Metrics.Sum("brokkr_http_requests_in_flight"));
    }

    [Fact]
    public async Task An_exception_in_a_handler_is_a_500()
    {
        using var response = await broker.Client(null).GetAsync("/test/throw");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);

        Assert.Equal(1, Metrics.Count(Requests, ("endpoint", "/test/throw"), ("method", "GET"), ("status", "500")));
        Assert.Equal(1, Metrics.Count("brokkr_http_request_duration_seconds", ("endpoint", "/test/throw"), ("method", "GET")));
        Assert.Equal(0, Metrics.Sum("brokkr_http_requests_in_flight"));
    }

    [Fact]
    public async Task An_exception_after_the_response_started_is_a_500_with_the_bytes_sent()
    {
        // The status line already said 200; the broker then resets the connection, and the client sees a broken body.
        await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
        {
            using var response = await broker.Client(null).GetAsync("/test/throw-after-start");
        });

        await MeterReader.WaitUntilAsync(() => Metrics.Count(Requests, ("endpoint", "/test/throw-after-start")) == 1);
        Assert.Equal(1, Metrics.Count(Requests, ("endpoint", "/test/throw-after-start"), ("method", "GET"), ("status", "500")));
        Assert.Equal("partial".Length, Metrics.Sum("brokkr_http_response_size_bytes", ("endpoint", "/test/throw-after-start")));
        Assert.Equal(0, Metrics.Sum("brokkr_http_requests_in_flight"));
    }

    [Fact]
    public async Task A_client_hanging_up_is_a_499_and_leaves_nothing_in_flight()
    {
        using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, broker.BaseAddress.Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes("GET /test/wait HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            await MeterReader.WaitUntilAsync(() => Metrics.Sum("brokkr_http_requests_in_flight") == 1);
            Assert.Equal(1, Metrics.Sum("brokkr_http_requests_in_flight"));
            // A reset, as a client giving up on a timeout does.
            socket.LingerState = new LingerOption(true, 0);
        }

        await MeterReader.WaitUntilAsync(() => Metrics.Sum("brokkr_http_requests_in_flight") == 0);
        Assert.Equal(0, Metrics.Sum("brokkr_http_requests_in_flight"));
        await MeterReader.WaitUntilAsync(() => Metrics.Count(Requests, ("endpoint", "/test/wait")) == 1);
        Assert.Equal(1, Metrics.Count(Requests, ("endpoint", "/test/wait"), ("method", "GET"), ("status", "499")));
    }

    [Fact]
    public async Task Request_size_is_the_body_bytes_read_whether_chunked_or_not()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"name":"{{Fleet.Unique("gen")}}"}""");
        using (var chunked = new ByteArrayContent(body))
        {
            chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/generators") { Content = chunked };
            request.Headers.TransferEncodingChunked = true;
            using var response = await broker.Client().SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        var withLength = Encoding.UTF8.GetBytes($$"""{"name":"{{Fleet.Unique("gen")}}"}""");
        using (var response = await broker.Client().PostAsync("/api/v1/generators", new ByteArrayContent(withLength)
               { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } }))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        Assert.Equal(2, Metrics.Count(RequestSize, ("endpoint", "/api/v1/generators"), ("method", "POST")));
        Assert.Equal(body.Length + withLength.Length, Metrics.Sum(RequestSize, ("endpoint", "/api/v1/generators"), ("method", "POST")));
    }

    [Fact]
    public async Task A_body_refused_at_authentication_was_not_received()
    {
        using var response = await broker.Client(null).PostAsync("/api/v1/stacks",
            new StringContent("""{"name":"s","generator_id":"0198a3f0-0000-7000-8000-000000000001"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        Assert.Equal(1, Metrics.Count(Requests, ("endpoint", "/api/v1/stacks"), ("method", "POST"), ("status", "401")));
        Assert.Equal(0, Metrics.Sum(RequestSize, ("endpoint", "/api/v1/stacks"), ("method", "POST")));
    }

    [Fact]
    public async Task Excluded_endpoints_are_matched_by_route_not_by_spelling()
    {
        foreach (var path in new[] { "/readyz", "/readyz/", "/READYZ", "/metrics", "/metrics/" })
        {
            using var response = await broker.Client(null).GetAsync(path);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
        }
        using (var response = await broker.Client(null).GetAsync("/healthz/"))
        {
            Assert.True(response.IsSuccessStatusCode);
        }

        var endpoints = Metrics.TagSets(Requests).Select(t => t["endpoint"]).ToList();
        Assert.DoesNotContain("/readyz", endpoints);
        Assert.DoesNotContain("/metrics", endpoints);
        Assert.Equal(1, Metrics.Count(Requests, ("endpoint", "/healthz"), ("method", "GET"), ("status", "200")));
    }
}
