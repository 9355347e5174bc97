using System.Diagnostics;
using Brokkr.Broker;
using Brokkr.Broker.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.Benchmarks;

/// <summary>
/// The broker's own per-request metrics work, measured in isolation so machine noise cannot hide it: a target-state
/// shaped request (route endpoint, 2 KB streamed response, one database command) through the metrics middleware and
/// the command interceptor's recording, against the same request without them. Instruments are live: the broker's
/// real MeterProvider (built by BrokerApp, not started) listens to them.
/// </summary>
public static class MiddlewareCostBenchmark
{
    private const int Iterations = 100_000;
    private const int Repeats = 5;
    private static readonly byte[] Body = new byte[2048];

    public static async Task<(double WithNs, double WithoutNs)> RunAsync()
    {
        await using var app = BrokerApp.Build(BrokerApp.CreateBuilder([], new Dictionary<string, string?>
        {
            ["ConnectionStrings:brokkr"] = "Host=127.0.0.1;Database=unused",
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        var http = app.Services.GetRequiredService<HttpMetrics>();
        var database = app.Services.GetRequiredService<DatabaseMetrics>();
        var endpoint = new RouteEndpoint(_ => Task.CompletedTask,
            RoutePatternFactory.Parse("/api/v1/agents/{id}/target-state"), 0, EndpointMetadataCollection.Empty, "target-state");
        const string sql = "SELECT latest.* FROM (SELECT DISTINCT ON (d.stack_id) d.* FROM deployment_objects d) latest";

        RequestDelegate handler = async context =>
        {
            database.Executed(SqlOperation.Of(sql), TimeSpan.FromMilliseconds(1));
            await context.Response.BodyWriter.WriteAsync(Body);
        };
        RequestDelegate bare = async context => await context.Response.BodyWriter.WriteAsync(Body);
        var middleware = new HttpMetricsMiddleware(handler, http, new HashSet<string> { "/metrics" });

        var with = await MeasureAsync(middleware.InvokeAsync, endpoint);
        var without = await MeasureAsync(bare, endpoint);
        return (with, without);
    }

    /// <summary>What Kestrel tells a GET without a body.</summary>
    private sealed class NoBody : IHttpRequestBodyDetectionFeature
    {
        public static readonly NoBody Instance = new();

        public bool CanHaveBody => false;
    }

    /// <summary>Best of several repeats, in nanoseconds per request: the run least disturbed by other processes.</summary>
    private static async Task<double> MeasureAsync(RequestDelegate pipeline, Endpoint endpoint)
    {
        var best = double.MaxValue;
        for (var repeat = 0; repeat < Repeats; repeat++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Iterations; i++)
            {
                var context = new DefaultHttpContext();
                context.Request.Method = "GET";
                context.Request.Path = "/api/v1/agents/0198a3f0-0000-7000-8000-000000000001/target-state";
                context.SetEndpoint(endpoint);
                context.Features.Set<IHttpRequestBodyDetectionFeature>(NoBody.Instance);
                await pipeline(context);
            }
            best = Math.Min(best, clock.Elapsed.TotalNanoseconds / Iterations);
        }
        return best;
    }
}
