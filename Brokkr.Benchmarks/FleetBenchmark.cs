using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Brokkr.Tests.Infrastructure;
using Npgsql;

namespace Brokkr.Benchmarks;

/// <summary>
/// Issue 17's fleet benchmark: one Release broker (metrics and tracing at their defaults, default log levels) on a
/// throwaway PostgreSQL, seeded through the real API with N agents (each its own PAK), S stacks of one object and T
/// targets per agent. Each round runs the agent mix closed-loop at one concurrency — per agent poll a heartbeat and a
/// full target-state, every 20th poll also an event — rotating over all agents, then /healthz at the same
/// concurrency, and reports latency percentiles, throughput, broker CPU per request and RSS.
/// </summary>
public static class FleetBenchmark
{
    private const string DevAdminPak = "brokkr_BR3rVsDa_GK3QN7CDUzYc6iKgMkJ98M2WSimM5t6U8";
    private const double PollIntervalSeconds = 10;
    private const double P99GoalMs = 50;

    public sealed record Settings(int Agents, int Stacks, int Targets, int Seconds, int[] Concurrency)
    {
        public static Settings Parse(string[] args)
        {
            string? Get(string name) => Array.IndexOf(args, "--" + name) is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
            var stacks = int.Parse(Get("stacks") ?? "5");
            return new Settings(int.Parse(Get("agents") ?? "1000"), stacks, int.Parse(Get("targets") ?? stacks.ToString()),
                int.Parse(Get("seconds") ?? "10"), (Get("concurrency") ?? "4,16,64").Split(',').Select(int.Parse).ToArray());
        }
    }

    private sealed record Agent(Guid Id, string Pak, Guid ObjectId);

    public static async Task<int> RunAsync(Settings settings)
    {
        var cluster = await PostgresCluster.SharedAsync();
        try
        {
            var database = await cluster.CreateDatabaseAsync();
            await using var broker = await ServiceProcess.StartAsync("Brokkr.Broker", new Dictionary<string, string?>
            {
                // The test infrastructure's connection strings turn pooling off; a production broker pools.
                ["ConnectionStrings__brokkr"] = new NpgsqlConnectionStringBuilder(cluster.ConnectionStringFor(database)) { Pooling = true }.ConnectionString,
            }, readyPath: "/readyz");
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency.Max() })
            {
                BaseAddress = broker.BaseAddress,
            };
            var seeding = Stopwatch.StartNew();
            var agents = await SeedAsync(client, settings);
            Console.WriteLine($"seeded {agents.Length} agents, {settings.Stacks} stacks, {settings.Targets} targets per agent " +
                $"through the API in {seeding.Elapsed.TotalSeconds:F0} s; rounds of {settings.Seconds} s; load average {LoadAverage()}");

            // Steady state: every agent's PAK is in the auth cache (60 s TTL) and the broker's code is jitted, as in a
            // fleet that has been polling for a while.
            await Parallel.ForEachAsync(agents, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (agent, _) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/agents/{agent.Id}/target-state");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", agent.Pak);
                using var response = await client.SendAsync(request);
                response.EnsureSuccessStatusCode();
            });
            Console.WriteLine();
            Console.WriteLine("| concurrency | mix req/s | p50 ms | p99 ms | target-state p99 ms | broker CPU µs/req | broker RSS MiB | /healthz req/s | target-state ÷ /healthz | agents at 10 s, p99 ≤ 50 ms |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            long failures = 0;
            foreach (var concurrency in settings.Concurrency)
            {
                var warm = await RunMixAsync(client, agents, concurrency, TimeSpan.FromSeconds(2), broker.ProcessId);
                var mix = await RunMixAsync(client, agents, concurrency, TimeSpan.FromSeconds(settings.Seconds), broker.ProcessId);
                var health = await RunPathAsync(client, "/healthz", concurrency, TimeSpan.FromSeconds(Math.Max(2, settings.Seconds / 2)));
                failures += warm.Failures + mix.Failures;
                // An agent costs one target-state and one heartbeat per interval (events are rare).
                var targetStateShare = mix.TargetStatePerSecond / health;
                var fleet = mix.P99 <= P99GoalMs ? mix.TargetStatePerSecond * PollIntervalSeconds : 0;
                Console.WriteLine($"| {concurrency} | {mix.PerSecond:F0} | {mix.P50:F1} | {mix.P99:F1} | {mix.TargetStateP99:F1} | " +
                    $"{mix.CpuMicroseconds:F0} | {RssMiB(broker.ProcessId):F0} | {health:F0} | {targetStateShare:P1} | " +
                    $"{(fleet > 0 ? fleet.ToString("F0") : "p99 over goal")} |");
            }
            Console.WriteLine();
            Console.WriteLine($"failures: {failures}; load average after: {LoadAverage()}");
            return failures > 0 ? 1 : 0;
        }
        finally
        {
            await PostgresCluster.StopSharedAsync();
        }
    }

    private sealed record MixResult(double PerSecond, double TargetStatePerSecond, double P50, double P99, double TargetStateP99,
        double CpuMicroseconds, long Failures);

    private static async Task<MixResult> RunMixAsync(HttpClient client, Agent[] agents, int concurrency, TimeSpan duration, int brokerPid)
    {
        long next = 0, failures = 0, polls = 0;
        var all = new List<double>[concurrency];
        var targetState = new List<double>[concurrency];
        var cpuBefore = ProcessCpu.Of(brokerPid);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = all[worker] = [];
            var mineTs = targetState[worker] = [];
            while (clock.Elapsed < duration)
            {
                var n = Interlocked.Increment(ref next);
                var agent = agents[n % agents.Length];
                mine.Add(await TimeAsync(client, agent, HttpMethod.Post, $"/api/v1/agents/{agent.Id}/heartbeat", "{}"));
                var ts = await TimeAsync(client, agent, HttpMethod.Get, $"/api/v1/agents/{agent.Id}/target-state?mode=full", null);
                mine.Add(ts);
                mineTs.Add(ts);
                Interlocked.Increment(ref polls);
                if (n % 20 == 0)
                {
                    mine.Add(await TimeAsync(client, agent, HttpMethod.Post, $"/api/v1/agents/{agent.Id}/events",
                        JsonSerializer.Serialize(new { agent_id = agent.Id, deployment_object_id = agent.ObjectId, event_type = "DEPLOY", status = "SUCCESS" })));
                }
            }
        }, CancellationToken.None)));
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpu = ProcessCpu.Of(brokerPid) - cpuBefore;
        var latencies = all.SelectMany(l => l).Order().ToArray();
        var tsLatencies = targetState.SelectMany(l => l).Order().ToArray();
        failures = latencies.Count(double.IsNaN);
        return new MixResult(latencies.Length / elapsed, polls / elapsed, Percentile(latencies, 0.50), Percentile(latencies, 0.99),
            Percentile(tsLatencies, 0.99), cpu.TotalMicroseconds / latencies.Length, failures);

        async Task<double> TimeAsync(HttpClient http, Agent agent, HttpMethod method, string path, string? json)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", agent.Pak);
            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return response.IsSuccessStatusCode ? ms : double.NaN; // NaN sorts first: counted as a failure
        }
    }

    private static async Task<double> RunPathAsync(HttpClient client, string path, int concurrency, TimeSpan duration)
    {
        long requests = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                using var response = await client.GetAsync(path);
                Interlocked.Increment(ref requests);
            }
        })));
        return requests / clock.Elapsed.TotalSeconds;
    }

    private static double Percentile(double[] sorted, double p)
    {
        var valid = sorted.SkipWhile(double.IsNaN).ToArray();
        return valid.Length == 0 ? double.NaN : valid[Math.Min(valid.Length - 1, (int)Math.Ceiling(p * valid.Length) - 1)];
    }

    private static double RssMiB(int pid) =>
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] is var kb ? long.Parse(kb) / 1024.0 : 0;

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>One generator with S stacks of one ConfigMap each; N agents, each targeting T of them (round-robin).</summary>
    private static async Task<Agent[]> SeedAsync(HttpClient client, Settings settings)
    {
        var generator = await PostAsync(client, DevAdminPak, "/api/v1/generators", new { name = "fleet-generator" });
        var generatorId = generator.GetProperty("generator").GetProperty("id").GetGuid();
        var generatorPak = generator.GetProperty("pak").GetString()!;
        var stacks = new (Guid Stack, Guid Object)[settings.Stacks];
        for (var i = 0; i < stacks.Length; i++)
        {
            var stackId = (await PostAsync(client, generatorPak, "/api/v1/stacks", new { name = $"fleet-stack-{i}", generator_id = generatorId })).GetProperty("id").GetGuid();
            var yaml = $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fleet-{i}\n  namespace: default\ndata:\n  key: value-{i}\n";
            var objectId = (await PostAsync(client, generatorPak, $"/api/v1/stacks/{stackId}/deployment-objects", new { yaml_content = yaml })).GetProperty("id").GetGuid();
            stacks[i] = (stackId, objectId);
        }
        var agents = new Agent[settings.Agents];
        await Parallel.ForAsync(0, settings.Agents, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var agent = await PostAsync(client, DevAdminPak, "/api/v1/agents", new { name = $"fleet-agent-{i}", cluster_name = $"cluster-{i}", generator_ids = new[] { generatorId } });
            var agentId = agent.GetProperty("agent").GetProperty("id").GetGuid();
            for (var t = 0; t < settings.Targets; t++)
            {
                var stack = stacks[(i + t) % stacks.Length];
                await PostAsync(client, generatorPak, $"/api/v1/agents/{agentId}/targets", new { agent_id = agentId, stack_id = stack.Stack });
            }
            agents[i] = new Agent(agentId, agent.GetProperty("initial_pak").GetString()!, stacks[i % stacks.Length].Object);
        });
        return agents;
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string pak, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", pak);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
        }
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
