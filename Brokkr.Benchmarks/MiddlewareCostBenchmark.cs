using System.Diagnostics;
using Brokkr.Broker;
using Brokkr.Broker.Data;
using Brokkr.Broker.Metrics;
using Brokkr.Broker.Targeting;
using Brokkr.ServiceDefaults.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Brokkr.Benchmarks;

/// <summary>One variant's cost per operation: elapsed time, CPU time of this process, bytes allocated.</summary>
public readonly record struct OperationCost(double Ns, double CpuNs, double Bytes)
{
    public override string ToString() => $"{Ns / 1000:F2} µs ({CpuNs / 1000:F2} µs CPU), {Bytes:F0} B";
}

/// <summary>What one request or command costs with the broker's metrics hooks and without them.</summary>
public sealed record HookCost(OperationCost With, OperationCost Without)
{
    public override string ToString() =>
        $"{With} with the hooks, {Without} without: +{(With.Ns - Without.Ns) / 1000:F2} µs " +
        $"(+{(With.CpuNs - Without.CpuNs) / 1000:F2} µs CPU), +{With.Bytes - Without.Bytes:F0} B";
}

/// <summary>
/// The broker's own metrics work, measured in isolation so machine noise cannot hide it. Instruments are live: the
/// broker's real MeterProvider (built by BrokerApp, not started) listens to them.
/// <list type="bullet">
/// <item>HTTP: a target-state shaped request (route endpoint, 2 KiB streamed response) through the metrics
/// middleware, against the same request without it, on a DefaultHttpContext.</item>
/// <item>Database: the target-state query through EF Core, Npgsql and the seeded PostgreSQL, with the broker's
/// command interceptor registered and without it, so EF's own interceptor dispatch (the event data it creates for
/// an interceptor) is measured along with the recording and the reader wrapper. Each query has its own DbContext,
/// as each request does.</item>
/// </list>
/// Timings are the best of several alternating repeats; bytes are allocations per request or query.
/// </summary>
public static class MiddlewareCostBenchmark
{
    private const int HttpIterations = 100_000;
    private const int QueryIterations = 3_000;
    private const int Repeats = 5;
    private static readonly byte[] Body = new byte[2048];

    public static async Task<(HookCost Http, HookCost Database)> RunAsync(string connectionString, Guid agentId)
    {
        await using var app = BrokerApp.Build(BrokerApp.CreateBuilder([], new Dictionary<string, string?>
        {
            ["ConnectionStrings:brokkr"] = connectionString,
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        return (await HttpAsync(app.Services), await DatabaseAsync(app.Services, agentId));
    }

    private static async Task<HookCost> HttpAsync(IServiceProvider services)
    {
        var endpoint = new RouteEndpoint(_ => Task.CompletedTask,
            RoutePatternFactory.Parse("/api/v1/agents/{id}/target-state"), 0, EndpointMetadataCollection.Empty, "target-state");
        RequestDelegate handler = async context => await context.Response.BodyWriter.WriteAsync(Body);
        var excluded = services.GetRequiredService<IOptions<BrokerMetricsOptions>>().Value
            .ExcludedEndpoints(services.GetRequiredService<BrokkrMetrics>().Path);
        var middleware = new HttpMetricsMiddleware(handler, services.GetRequiredService<HttpMetrics>(), excluded);

        async Task Request(RequestDelegate pipeline)
        {
            var context = new DefaultHttpContext();
            context.Request.Method = "GET";
            context.Request.Path = "/api/v1/agents/0198a3f0-0000-7000-8000-000000000001/target-state";
            context.SetEndpoint(endpoint);
            context.Features.Set<IHttpRequestBodyDetectionFeature>(NoBody.Instance);
            await pipeline(context);
        }

        return await CompareAsync(HttpIterations, () => Request(middleware.InvokeAsync), () => Request(handler));
    }

    private static async Task<HookCost> DatabaseAsync(IServiceProvider services, Guid agentId)
    {
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        DbContextOptions<BrokkrDbContext> Options(params IInterceptor[] interceptors) =>
            new DbContextOptionsBuilder<BrokkrDbContext>()
                .UseNpgsql(dataSource)
                .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning))
                .AddInterceptors(interceptors)
                .Options;
        var with = Options(services.GetRequiredService<DatabaseMetricsInterceptor>());
        var without = Options();

        async Task Query(DbContextOptions<BrokkrDbContext> options)
        {
            await using var db = new BrokkrDbContext(options);
            await TargetingQueries.TargetState(db, agentId, full: true).ToListAsync();
        }

        return await CompareAsync(QueryIterations, () => Query(with), () => Query(without));
    }

    /// <summary>
    /// Alternates the two variants and keeps each one's best times (the repeats least disturbed by other processes);
    /// bytes are the whole process's, exact with one caller.
    /// </summary>
    private static async Task<HookCost> CompareAsync(int iterations, Func<Task> with, Func<Task> without)
    {
        // Warm-up: JIT tiers, EF's query cache, the connection pool.
        await MeasureAsync(iterations / 10, with);
        await MeasureAsync(iterations / 10, without);
        var best = (With: new OperationCost(double.MaxValue, double.MaxValue, 0), Without: new OperationCost(double.MaxValue, double.MaxValue, 0));
        for (var repeat = 0; repeat < Repeats; repeat++)
        {
            best = (Best(best.With, await MeasureAsync(iterations, with)), Best(best.Without, await MeasureAsync(iterations, without)));
        }
        return new HookCost(best.With, best.Without);
    }

    private static OperationCost Best(OperationCost a, OperationCost b) => new(Math.Min(a.Ns, b.Ns), Math.Min(a.CpuNs, b.CpuNs), b.Bytes);

    private static async Task<OperationCost> MeasureAsync(int iterations, Func<Task> operation)
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            await operation();
        }
        var elapsed = clock.Elapsed;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        process.Refresh();
        return new OperationCost(elapsed.TotalNanoseconds / iterations, (process.TotalProcessorTime - cpu).TotalNanoseconds / iterations,
            bytes / (double)iterations);
    }

    /// <summary>What Kestrel tells a GET without a body.</summary>
    private sealed class NoBody : IHttpRequestBodyDetectionFeature
    {
        public static readonly NoBody Instance = new();

        public bool CanHaveBody => false;
    }
}
