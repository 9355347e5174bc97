using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Brokkr.Tests.AppHost.Testing;
using Npgsql;

namespace Brokkr.Tests.AppHost;

/// <summary>The AppHost's own model run as local processes: PostgreSQL, the broker and Prometheus, on random ports.</summary>
public sealed class RunModeTests
{
    [Fact]
    public async Task PostgresBrokerAndPrometheus_BecomeHealthy_PrometheusScrapesTheBroker_AndStopLeavesNothingRunning()
    {
        var builder = (await DistributedApplicationTestingBuilder.CreateAsync()).WithOnly("postgres", "brokkr", "broker", "prometheus");
        var dataDirectory = builder.DataDirectory;
        int brokerPort, prometheusPort;
        await using (var app = await builder.BuildAsync())
        {
            await app.StartAsync();
            await app.WaitForResourceHealthyAsync("broker");
            using var broker = app.CreateHttpClient("broker");
            using var readyz = await broker.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.OK, readyz.StatusCode);

            await app.WaitForResourceHealthyAsync("prometheus");
            using var prometheus = app.CreateHttpClient("prometheus");
            var target = await PollAsync(() => BrokerTargetAsync(prometheus), t => (string?)t?["health"] == "up", TimeSpan.FromSeconds(30));
            Assert.Equal(broker.BaseAddress!.Port.ToString(), ((string?)target!["labels"]!["instance"])!.Split(':')[1]);
            var up = await PollAsync(() => QueryAsync(prometheus, "up{job=\"brokkr-broker\"}"), r => r is { Count: 1 }, TimeSpan.FromSeconds(15));
            Assert.Equal("1", (string?)up![0]!["value"]![1]);

            brokerPort = broker.BaseAddress.Port;
            prometheusPort = prometheus.BaseAddress!.Port;
            await app.StopAsync();
        }

        // No orphans: the processes are gone and PostgreSQL was shut down by pg_ctl (it removes its pid file).
        Assert.False(IsListening(brokerPort), "the broker still listens after stop");
        Assert.False(IsListening(prometheusPort), "Prometheus still listens after stop");
        Assert.False(Directory.Exists(dataDirectory), "the throwaway data folder was not removed");
    }

    [Fact]
    public async Task PostgresCluster_KeepsItsDataAndPasswordAcrossRestarts()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "brokkr-apphost-restart-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string firstConnectionString;
            await using (var first = await StartDatabaseAsync(dataDirectory))
            {
                firstConnectionString = await first.GetConnectionStringAsync("brokkr");
                await ExecuteAsync(firstConnectionString, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('survives')");
                await first.StopAsync();
            }

            Assert.False(File.Exists(Path.Combine(dataDirectory, "postgres", "data", "postmaster.pid")), "pg_ctl stop did not run");

            await using var second = await StartDatabaseAsync(dataDirectory);
            var secondConnectionString = await second.GetConnectionStringAsync("brokkr");
            Assert.Equal(new NpgsqlConnectionStringBuilder(firstConnectionString).Password,
                new NpgsqlConnectionStringBuilder(secondConnectionString).Password);
            Assert.Equal("survives", await ExecuteAsync(secondConnectionString, "SELECT value FROM kept"));
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private static async Task<TestingApplication> StartDatabaseAsync(string dataDirectory)
    {
        var builder = (await DistributedApplicationTestingBuilder.CreateAsync([], dataDirectory)).WithOnly("postgres", "brokkr");
        var app = await builder.BuildAsync();
        await app.StartAsync();
        await app.WaitForResourceHealthyAsync("brokkr");
        return app;
    }

    private static async Task<object?> ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task<JsonNode?> BrokerTargetAsync(HttpClient prometheus)
    {
        var targets = JsonNode.Parse(await prometheus.GetStringAsync("/api/v1/targets?state=active"))!;
        return targets["data"]!["activeTargets"]!.AsArray().FirstOrDefault(t => (string?)t!["labels"]!["job"] == "brokkr-broker");
    }

    private static async Task<JsonArray?> QueryAsync(HttpClient prometheus, string promql)
    {
        var response = JsonNode.Parse(await prometheus.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(promql)}"))!;
        return response["data"]!["result"]!.AsArray();
    }

    private static async Task<T?> PollAsync<T>(Func<Task<T?>> read, Func<T?, bool> done, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        T? last = default;
        do
        {
            last = await read();
            if (done(last))
            {
                return last;
            }
        }
        while (await timer.WaitForNextTickAsync(cts.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result));

        throw new TimeoutException($"condition not met within {timeout}; last value: {last}");
    }

    private static bool IsListening(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
