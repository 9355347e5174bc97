using System.Net;
using System.Text.Json;
using Brokkr.ServiceDefaults;
using Brokkr.ServiceDefaults.Health;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Brokkr.Tests.ServiceDefaults;

public sealed class HealthEndpointTests
{
    /// <summary>A readiness check whose result the test flips.</summary>
    private sealed class Switch
    {
        public volatile bool DatabaseUp = true;
    }

    private static Task<ServiceDefaultsHost> StartWithDatabaseCheck(Switch state, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null) =>
        ServiceDefaultsHost.StartAsync(configureServices: builder =>
        {
            builder.Services.AddHealthChecks().AddCheck("database", () => state.DatabaseUp
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("database unavailable", new InvalidOperationException("connection refused")),
                [HealthTags.Ready]);
            configure?.Invoke(builder);
        });

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Get(ServiceDefaultsHost host, string path)
    {
        using var response = await host.Client.GetAsync(path);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    [Fact]
    public async Task Readiness_flips_to_503_naming_the_failed_check_while_liveness_stays_up()
    {
        var state = new Switch();
        await using var host = await StartWithDatabaseCheck(state);

        foreach (var path in new[] { "/readyz", "/health" })
        {
            var (status, body) = await Get(host, path);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("healthy", body.GetProperty("status").GetString());
            Assert.Equal(["database", "self"], body.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        }

        state.DatabaseUp = false;

        foreach (var path in new[] { "/readyz", "/health" })
        {
            var (status, body) = await Get(host, path);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("unhealthy", body.GetProperty("status").GetString());
            var database = body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "database");
            Assert.Equal("unhealthy", database.GetProperty("status").GetString());
            Assert.Equal("database unavailable", database.GetProperty("description").GetString());
            Assert.Equal("connection refused", database.GetProperty("error").GetString());
            Assert.True(database.GetProperty("duration_ms").GetInt64() >= 0);
        }

        foreach (var path in new[] { "/healthz", "/alive" })
        {
            var (status, body) = await Get(host, path);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(["self"], body.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        }

        state.DatabaseUp = true;
        Assert.Equal(HttpStatusCode.OK, (await Get(host, "/readyz")).Status);
    }

    [Fact]
    public async Task Degraded_answers_200_and_reports_degraded()
    {
        await using var host = await ServiceDefaultsHost.StartAsync(configureServices: builder =>
            builder.Services.AddHealthChecks().AddCheck("broker", () => HealthCheckResult.Degraded("slow heartbeat")));

        var (status, body) = await Get(host, "/health");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Equal("slow heartbeat", body.GetProperty("checks")[0].GetProperty("description").GetString());
    }

    [Fact]
    public async Task A_service_can_replace_the_body_of_one_endpoint()
    {
        var state = new Switch { DatabaseUp = false };
        await using var host = await StartWithDatabaseCheck(state, builder => builder.Services.Configure<HealthEndpointOptions>(o =>
            o.ResponseWriters[HealthEndpoints.Readyz] = (context, report) =>
            {
                context.Response.ContentType = "text/plain";
                return context.Response.WriteAsync(report.Status == HealthStatus.Healthy ? "Ready" : "database unavailable");
            }));

        using var readyz = await host.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
        Assert.Equal("database unavailable", await readyz.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Get(host, "/health")).Status);
    }
}
