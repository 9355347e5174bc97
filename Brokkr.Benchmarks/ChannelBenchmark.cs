using System.Diagnostics;
using System.Globalization;
using Brokkr.Tests.Infrastructure;

namespace Brokkr.Benchmarks;

/// <summary>
/// Issue 22's channel benchmark: one Release broker on a throwaway PostgreSQL, seeded through the API like the fleet
/// benchmark (<see cref="FleetSeeder"/>: N agents with their own PAKs, S stacks, T consecutive stacks per agent), then
/// one agent-channel WebSocket per agent. Each round a generator adds a deployment object to one stack — the agents
/// targeting it (about T/S of the fleet) are the affected subset — and the time from sending that POST (its commit is
/// inside it) to each affected socket receiving the <c>stack_changed</c> push is recorded. Pushes that never arrive
/// within the timeout and sockets that failed to open or were closed are counted; broker RSS is read from /proc.
/// </summary>
public static class ChannelBenchmark
{
    private static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(10);
    private const double P99GoalMs = 1000;

    public sealed record Settings(int Agents, int Stacks, int Targets, int Changes, int TelemetryFrames)
    {
        public static Settings Parse(string[] args)
        {
            string? Get(string name) => Array.IndexOf(args, "--" + name) is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
            var stacks = int.Parse(Get("stacks") ?? "50", CultureInfo.InvariantCulture);
            return new Settings(int.Parse(Get("agents") ?? "1000", CultureInfo.InvariantCulture), stacks,
                int.Parse(Get("targets") ?? "5", CultureInfo.InvariantCulture), int.Parse(Get("changes") ?? "20", CultureInfo.InvariantCulture),
                int.Parse(Get("telemetry-frames") ?? "20", CultureInfo.InvariantCulture));
        }
    }

    public static async Task<int> RunAsync(Settings settings)
    {
        var cluster = await PostgresCluster.SharedAsync();
        var connections = new List<ChannelConnection>();
        try
        {
            await using var broker = await BrokerUnderTest.StartAsync(cluster);
            using var client = new HttpClient { BaseAddress = broker.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            var seeder = new FleetSeeder(client);
            var seeding = Stopwatch.StartNew();
            var agents = await seeder.SeedAsync(settings.Agents, settings.Stacks, settings.Targets);
            var rssIdle = BrokerUnderTest.RssMiB(broker.ProcessId);
            Console.WriteLine($"seeded {agents.Length} agents, {settings.Stacks} stacks, {settings.Targets} targets per agent in " +
                $"{seeding.Elapsed.TotalSeconds:F0} s; broker RSS {rssIdle:F0} MiB; load average {BrokerUnderTest.LoadAverage()}");

            var (opened, failed, connectTime) = await ConnectAllAsync(broker.BaseAddress, agents);
            connections.AddRange(opened);
            var rssConnected = BrokerUnderTest.RssMiB(broker.ProcessId);
            Console.WriteLine($"opened {opened.Count} of {agents.Length} channels in {connectTime.TotalSeconds:F1} s ({failed.Count} failed" +
                (failed.Count > 0 ? $", first: {failed[0]}" : "") + $"); broker RSS {rssConnected:F0} MiB " +
                $"(+{(rssConnected - rssIdle) * 1024 / Math.Max(1, opened.Count):F0} KiB a connection)");

            var latencies = new List<double>();
            var postLatencies = new List<double>();
            long missed = 0;
            var byAgent = connections.ToDictionary(c => c.Agent.Id);
            for (var round = 0; round < settings.Changes; round++)
            {
                var stack = round % settings.Stacks;
                var stackId = seeder.Stacks[stack];
                var affected = Affected(agents, stack, settings).Where(byAgent.ContainsKey).Select(a => byAgent[a]).ToList();
                affected.ForEach(c => c.Forget(stackId));
                var sent = Stopwatch.GetTimestamp();
                await seeder.ChangeStackAsync(stack, round + 1);
                postLatencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                missed += await CollectAsync(affected, stackId, sent, latencies);
            }

            var rssAfter = BrokerUnderTest.RssMiB(broker.ProcessId);
            var closed = connections.Count(c => !c.IsOpen);
            latencies.Sort();
            postLatencies.Sort();
            Console.WriteLine();
            Console.WriteLine("| connections | affected per change | changes | pushes received | p50 ms | p99 ms | max ms | POST p50 ms | missed | failed to open | closed during run | broker RSS MiB (idle → connected → after) | p99 ≤ 1 s |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
            Console.WriteLine($"| {opened.Count} | {(double)agents.Length * settings.Targets / settings.Stacks:F0} | {settings.Changes} | {latencies.Count} | " +
                $"{Percentile(latencies, 0.50):F0} | {Percentile(latencies, 0.99):F0} | {(latencies.Count > 0 ? latencies[^1] : 0):F0} | " +
                $"{Percentile(postLatencies, 0.50):F0} | {missed} | {failed.Count} | {closed} | {rssIdle:F0} → {rssConnected:F0} → {rssAfter:F0} | " +
                $"{(missed == 0 && Percentile(latencies, 0.99) <= P99GoalMs ? "yes" : "no")} |");

            // Agent i targets stack i mod S first (FleetSeeder), so its frames are for a stack it may report on.
            var index = agents.Select((a, i) => (a.Id, i)).ToDictionary(p => p.Id, p => p.i);
            var ingest = await TelemetryIngest.RunAsync(client, connections,
                c => seeder.Stacks[index[c.Agent.Id] % settings.Stacks], settings.TelemetryFrames);
            Console.WriteLine();
            Console.WriteLine("| telemetry frames sent | written | dropped | send s | all written s | written frames/s | broker RSS MiB after |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine($"| {ingest.Sent} | {ingest.Written} | {ingest.Dropped} | {ingest.SendTime.TotalSeconds:F1} | " +
                $"{ingest.WriteTime.TotalSeconds:F1} | {ingest.WrittenPerSecond:F0} | {BrokerUnderTest.RssMiB(broker.ProcessId):F0} |");
            Console.WriteLine($"load average after: {BrokerUnderTest.LoadAverage()}");
            return failed.Count + missed + closed > 0 || ingest.Written + ingest.Dropped < ingest.Sent ? 1 : 0;
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
            await PostgresCluster.StopSharedAsync();
        }
    }

    /// <summary>The agents targeting <paramref name="stack"/>: agent i targets stacks i … i+T−1 (mod S), as seeded.</summary>
    private static IEnumerable<Guid> Affected(FleetAgent[] agents, int stack, Settings settings) =>
        agents.Where((_, i) => ((stack - i) % settings.Stacks + settings.Stacks) % settings.Stacks < settings.Targets).Select(a => a.Id);

    private static async Task<(List<ChannelConnection> Opened, List<string> Failed, TimeSpan Took)> ConnectAllAsync(Uri broker, FleetAgent[] agents)
    {
        var channel = new UriBuilder(broker) { Scheme = broker.Scheme == "https" ? "wss" : "ws", Path = "/internal/ws/agent" }.Uri;
        var opened = new List<ChannelConnection>();
        var failed = new List<string>();
        var clock = Stopwatch.StartNew();
        // As a fleet reconnecting after a broker restart would, though without the agents' jittered backoff.
        await Parallel.ForEachAsync(agents, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (agent, _) =>
        {
            var (connection, failure) = await ChannelConnection.OpenAsync(channel, agent);
            lock (opened)
            {
                if (connection is null)
                {
                    failed.Add(failure ?? "unknown");
                }
                else
                {
                    opened.Add(connection);
                }
            }
        });
        return (opened, failed, clock.Elapsed);
    }

    /// <summary>Waits until every affected socket has the push or the timeout passes; the number that never got it.</summary>
    private static async Task<int> CollectAsync(List<ChannelConnection> affected, Guid stackId, long sent, List<double> latencies)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(PushTimeout.TotalSeconds * Stopwatch.Frequency);
        while (affected.Any(c => c.ArrivalOf(stackId) is null) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(5);
        }
        var missed = 0;
        foreach (var connection in affected)
        {
            if (connection.ArrivalOf(stackId) is { } arrived)
            {
                latencies.Add(Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds);
            }
            else
            {
                missed++;
            }
        }
        return missed;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
