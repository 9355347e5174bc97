using System.Net.Http.Json;
using System.Text.Json;
using Brokkr.Tests.Infrastructure;
using Npgsql;

namespace Brokkr.Benchmarks;

/// <summary>
/// Issue 5's benchmark: GET /api/v1/agents/{id}/target-state against two brokers on the same database in the same
/// run — one with metrics on (the default), one with BROKKR__METRICS__ENABLED=false — in alternating rounds, so
/// machine noise hits both alike. Reports throughput, the ratio, and the broker CPU time per request.
/// </summary>
public static class BrokerMetricsBenchmark
{
    private const string DevAdminPak = "brokkr_BR3rVsDa_GK3QN7CDUzYc6iKgMkJ98M2WSimM5t6U8";

    public static async Task<int> RunAsync(BenchmarkSettings settings)
    {
        var cluster = await PostgresCluster.SharedAsync();
        try
        {
            var database = await cluster.CreateDatabaseAsync();
            var connection = new NpgsqlConnectionStringBuilder(cluster.ConnectionStringFor(database)) { Pooling = true }.ConnectionString;
            await using var enabled = await StartBrokerAsync(connection, metrics: true);
            await using var disabled = await StartBrokerAsync(connection, metrics: false);
            var (agentId, agentPak) = await SeedAsync(enabled, settings.Stacks);

            var (http, db) = await MiddlewareCostBenchmark.RunAsync(connection, agentId);
            Console.WriteLine($"in isolation, HTTP request: {http}");
            Console.WriteLine($"in isolation, target-state query (EF Core + Npgsql + PostgreSQL): {db}");
            if (settings.Rounds == 0)
            {
                return 0;
            }

            var path = $"/api/v1/agents/{agentId}/target-state?mode=full";
            using var onClient = Client(enabled, agentPak, settings.Concurrency);
            using var offClient = Client(disabled, agentPak, settings.Concurrency);

            var objects = JsonDocument.Parse(await onClient.GetStringAsync(path)).RootElement.GetArrayLength();
            Console.WriteLine($"target-state returns {objects} deployment objects; {settings.Concurrency} concurrent clients; " +
                $"{settings.Rounds} rounds of {settings.Seconds} s per broker");
            var warmup = TimeSpan.FromSeconds(settings.WarmupSeconds);
            await LoadGenerator.RunAsync(onClient, path, settings.Concurrency, warmup, enabled.ProcessId);
            await LoadGenerator.RunAsync(offClient, path, settings.Concurrency, warmup, disabled.ProcessId);

            var on = new List<RoundResult>();
            var off = new List<RoundResult>();
            var round = TimeSpan.FromSeconds(settings.Seconds);
            for (var i = 0; i < settings.Rounds; i++)
            {
                // Alternate which broker goes first, so a trend in machine load does not favour one.
                var order = i % 2 == 0 ? new[] { true, false } : [false, true];
                foreach (var metricsOn in order)
                {
                    var result = metricsOn
                        ? await LoadGenerator.RunAsync(onClient, path, settings.Concurrency, round, enabled.ProcessId)
                        : await LoadGenerator.RunAsync(offClient, path, settings.Concurrency, round, disabled.ProcessId);
                    (metricsOn ? on : off).Add(result);
                    Console.WriteLine($"round {i + 1} metrics {(metricsOn ? "on " : "off")}: {result.PerSecond,8:F0} req/s, " +
                        $"{result.CpuMicrosecondsPerRequest,6:F0} µs broker CPU/request, {result.Failures} failures");
                }
            }
            Report(on, off, settings.Concurrency);
            return on.Concat(off).Any(r => r.Failures > 0) ? 1 : 0;
        }
        finally
        {
            await PostgresCluster.StopSharedAsync();
        }
    }

    private static void Report(List<RoundResult> on, List<RoundResult> off, int concurrency)
    {
        static double Throughput(List<RoundResult> rounds) => rounds.Sum(r => r.Requests) / rounds.Sum(r => r.Elapsed.TotalSeconds);
        static double Cpu(List<RoundResult> rounds) => rounds.Sum(r => r.BrokerCpu.TotalMicroseconds) / rounds.Sum(r => r.Requests);
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }

        var (thrOn, thrOff) = (Throughput(on), Throughput(off));
        var (latOn, latOff) = (concurrency / thrOn * 1e6, concurrency / thrOff * 1e6);
        var pairRatios = on.Zip(off, (a, b) => a.PerSecond / b.PerSecond);
        Console.WriteLine();
        Console.WriteLine("| | metrics on | metrics off | on/off |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| throughput (req/s) | {thrOn:F0} | {thrOff:F0} | {thrOn / thrOff:F3} (median of rounds {Median(pairRatios):F3}) |");
        Console.WriteLine($"| mean latency (µs) | {latOn:F0} | {latOff:F0} | +{latOn - latOff:F0} µs |");
        Console.WriteLine($"| broker CPU per request (µs) | {Cpu(on):F0} | {Cpu(off):F0} | +{Cpu(on) - Cpu(off):F0} µs |");
    }

    private static async Task<ServiceProcess> StartBrokerAsync(string connection, bool metrics) =>
        await ServiceProcess.StartAsync("Brokkr.Broker", new Dictionary<string, string?>
        {
            ["ConnectionStrings__brokkr"] = connection,
            ["Logging__LogLevel__Default"] = "Warning",
            ["BROKKR__METRICS__ENABLED"] = metrics ? "true" : "false",
            // Both brokers resolve the agent's PAK once for the whole run.
            ["BROKKR__BROKER__AUTH_CACHE_TTL_SECONDS"] = "3600",
        }, readyPath: "/readyz");

    private static HttpClient Client(ServiceProcess broker, string pak, int connections)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = broker.BaseAddress };
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + pak);
        return client;
    }

    /// <summary>A generator with <paramref name="stacks"/> stacks of one small object each, all targeted to one agent.</summary>
    private static async Task<(Guid AgentId, string Pak)> SeedAsync(ServiceProcess broker, int stacks)
    {
        using var admin = Client(broker, DevAdminPak, 1);
        var generator = await PostAsync(admin, "/api/v1/generators", new { name = "bench-generator" });
        var generatorId = generator.GetProperty("generator").GetProperty("id").GetGuid();
        using var gen = Client(broker, generator.GetProperty("pak").GetString()!, 1);
        var agent = await PostAsync(admin, "/api/v1/agents", new { name = "bench-agent", cluster_name = "bench", generator_ids = new[] { generatorId } });
        var agentId = agent.GetProperty("agent").GetProperty("id").GetGuid();
        for (var i = 0; i < stacks; i++)
        {
            var stackId = (await PostAsync(gen, "/api/v1/stacks", new { name = $"bench-stack-{i}", generator_id = generatorId })).GetProperty("id").GetGuid();
            var yaml = $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bench-{i}\n  namespace: default\ndata:\n  key: value-{i}\n";
            await PostAsync(gen, $"/api/v1/stacks/{stackId}/deployment-objects", new { yaml_content = yaml });
            await PostAsync(gen, $"/api/v1/agents/{agentId}/targets", new { agent_id = agentId, stack_id = stackId });
        }
        return (agentId, agent.GetProperty("initial_pak").GetString()!);
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
        }
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
