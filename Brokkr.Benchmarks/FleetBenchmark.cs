using System.Diagnostics;
using System.Globalization;
using Brokkr.Tests.Infrastructure;

namespace Brokkr.Benchmarks;

/// <summary>
/// Issue 17's fleet benchmark: one Release broker (metrics and tracing at their defaults, default log levels) on a
/// throwaway PostgreSQL, seeded through the real API (<see cref="FleetSeeder"/>). For each polling style it runs
/// closed-loop rounds over concurrency (each worker polls the next agent as soon as its last poll is answered) and,
/// when fleet sizes are given, open-loop rounds that poll every agent of a fleet once per 10 s interval on a fixed
/// schedule — the way a real fleet loads the broker. Meanwhile a generator pushes a change to one stack every few
/// seconds, so some polls see a new state and some an unchanged one.
/// </summary>
public static class FleetBenchmark
{
    private const double PollIntervalSeconds = 10;
    private const double P99GoalMs = 50;

    public sealed record Settings(int Agents, int Stacks, int Targets, int Seconds, int[] Concurrency, int[] Fleets,
        Polling[] Polling, double ChangeEverySeconds)
    {
        public static Settings Parse(string[] args)
        {
            string? Get(string name) => Array.IndexOf(args, "--" + name) is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
            int[] Ints(string? list) => string.IsNullOrEmpty(list) ? [] : list.Split(',').Select(int.Parse).ToArray();
            var fleets = Ints(Get("fleets"));
            var agents = int.Parse(Get("agents") ?? (fleets.Length > 0 ? fleets.Max() : 1000).ToString(CultureInfo.InvariantCulture));
            if (fleets.Any(f => f > agents))
            {
                throw new ArgumentException($"--fleets may not exceed --agents ({agents})");
            }
            return new Settings(agents, int.Parse(Get("stacks") ?? "50"), int.Parse(Get("targets") ?? "5"),
                int.Parse(Get("seconds") ?? "10"), Ints(Get("concurrency") ?? "4,16,64"), fleets,
                (Get("polling") ?? "full,conditional").Split(',').Select(p => Enum.Parse<Polling>(p, ignoreCase: true)).ToArray(),
                double.Parse(Get("change-every") ?? "2", CultureInfo.InvariantCulture));
        }
    }

    private sealed record Round(PollSamples Samples, TimeSpan Elapsed, ResourceSnapshot Cost, double RssMiB)
    {
        public double PerSecond => Samples.Requests / Elapsed.TotalSeconds;
        public double PollsPerSecond => Samples.Polls / Elapsed.TotalSeconds;
        public double P99 => Samples.Percentile(0.99);

        public string Columns() => string.Join(" | ",
            $"{Samples.Percentile(0.50):F1}", $"{P99:F1}", $"{Samples.TargetStatePercentile(0.99):F1}",
            $"{(double)Samples.NotModified / Math.Max(1, Samples.Polls):P0}",
            $"{Cost.BrokerCpu.TotalMicroseconds / Samples.Requests:F0}", $"{Cost.PostgresCpu.TotalMicroseconds / Samples.Requests:F0}",
            // The broker's allocation counter is a sampled figure that has been seen not to move over a round;
            // say so rather than print a zero that reads like a measurement.
            Cost.AllocatedBytes > 0 ? $"{Cost.AllocatedBytes / 1024 / Samples.Requests:F1}" : "n/a", $"{RssMiB:F0}");
    }

    private const string CostHeader = "p50 ms | p99 ms | target-state p99 ms | 304 share | broker CPU µs/req | PostgreSQL CPU µs/req | allocated KiB/req | broker RSS MiB";

    public static async Task<int> RunAsync(Settings settings)
    {
        var cluster = await PostgresCluster.SharedAsync();
        try
        {
            await using var broker = await BrokerUnderTest.StartAsync(cluster);
            // A fleet holds one keep-alive connection per agent; the client here shares a bounded set of them.
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(256, settings.Concurrency.DefaultIfEmpty(0).Max()) })
            {
                BaseAddress = broker.BaseAddress,
                Timeout = TimeSpan.FromMinutes(2),
            };
            var seeder = new FleetSeeder(client);
            var seeding = Stopwatch.StartNew();
            var agents = await seeder.SeedAsync(settings.Agents, settings.Stacks, settings.Targets);
            Console.WriteLine($"seeded {agents.Length} agents, {settings.Stacks} stacks, {settings.Targets} targets per agent " +
                $"through the API in {seeding.Elapsed.TotalSeconds:F0} s; rounds of {settings.Seconds} s; a stack change every " +
                $"{settings.ChangeEverySeconds} s; load average {BrokerUnderTest.LoadAverage()}");

            // Steady state: every agent's PAK is in the auth cache and holds its current ETag, and the broker's code is
            // jitted, as in a fleet that has been polling for a while.
            var warm = new PollSamples();
            await Parallel.ForEachAsync(agents, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (agent, _) =>
                await FleetPoll.RunAsync(client, agent, Polling.Full, 1, warm, Stopwatch.GetTimestamp()));
            var probe = new ResourceProbe(client, broker.ProcessId, cluster.DataDirectory);
            var changes = new StackChanges(seeder, settings.ChangeEverySeconds);
            await WarmUpAsync(client, agents, settings, probe, changes);
            Console.WriteLine(await FleetViewTiming.MeasureAsync(client, agents.Length, 20));
            long failures = warm.Failures;
            foreach (var polling in settings.Polling)
            {
                failures += await ClosedLoopAsync(client, agents, polling, settings, probe, changes, broker.ProcessId);
                failures += await OpenLoopAsync(client, agents, polling, settings, probe, changes, broker.ProcessId);
            }
            Console.WriteLine($"failures: {failures}; stack changes pushed: {changes.Pushed}; load average after: {BrokerUnderTest.LoadAverage()}");
            return failures > 0 ? 1 : 0;
        }
        finally
        {
            await PostgresCluster.StopSharedAsync();
        }
    }

    /// <summary>
    /// The broker jits some 35,000 methods, and tier-1 recompilation of the hot ones runs on a background thread for
    /// tens of seconds on a busy 2-core machine: rounds measured before that settles measure the JIT. Both polling
    /// styles run closed-loop until fewer than 50 methods were jitted in a 5 s round (at most 3 minutes).
    /// </summary>
    private static async Task WarmUpAsync(HttpClient client, FleetAgent[] agents, Settings settings, ResourceProbe probe, StackChanges changes)
    {
        var concurrency = Math.Max(16, settings.Concurrency.DefaultIfEmpty(0).Max());
        var clock = Stopwatch.StartNew();
        var jitted = await probe.JittedMethodsAsync();
        for (var round = 0; clock.Elapsed < TimeSpan.FromMinutes(3); round++)
        {
            using var pushing = changes.Start();
            await ClosedLoopRoundAsync(client, agents, settings.Polling[round % settings.Polling.Length], concurrency, TimeSpan.FromSeconds(5));
            await pushing.StopAsync();
            var now = await probe.JittedMethodsAsync();
            if (now - jitted < 50)
            {
                break;
            }
            jitted = now;
        }
        Console.WriteLine($"warmed up in {clock.Elapsed.TotalSeconds:F0} s ({jitted:F0} methods jitted)");
    }

    private static Task<long> ClosedLoopAsync(HttpClient client, FleetAgent[] agents, Polling polling, Settings settings,
        ResourceProbe probe, StackChanges changes, int brokerPid) =>
        TableAsync($"Closed loop, {polling.ToString().ToLowerInvariant()} polling",
            $"concurrency | mix req/s | {CostHeader} | /healthz req/s | target-state ÷ /healthz | agents at 10 s, p99 ≤ 50 ms",
            settings.Concurrency, async concurrency =>
            {
                await MeasureAsync(() => ClosedLoopRoundAsync(client, agents, polling, concurrency, TimeSpan.FromSeconds(2)), probe, changes, brokerPid);
                var round = await MeasureAsync(() => ClosedLoopRoundAsync(client, agents, polling, concurrency, TimeSpan.FromSeconds(settings.Seconds)),
                    probe, changes, brokerPid);
                var health = await LoadGenerator.RunAsync(client, "/healthz", concurrency, TimeSpan.FromSeconds(Math.Max(2, settings.Seconds / 2)), brokerPid);
                // An agent costs one target-state and one heartbeat per interval (events are rare).
                var fleet = round.P99 <= P99GoalMs ? round.PollsPerSecond * PollIntervalSeconds : 0;
                return (round, $"| {concurrency} | {round.PerSecond:F0} | {round.Columns()} | {health.PerSecond:F0} | " +
                    $"{round.PollsPerSecond / health.PerSecond:P1} | {(fleet > 0 ? fleet.ToString("F0", CultureInfo.InvariantCulture) : "p99 over goal")} |");
            });

    private static Task<long> OpenLoopAsync(HttpClient client, FleetAgent[] agents, Polling polling, Settings settings,
        ResourceProbe probe, StackChanges changes, int brokerPid) =>
        TableAsync($"Open loop (every agent polls once per {PollIntervalSeconds} s), {polling.ToString().ToLowerInvariant()} polling",
            $"agents | offered req/s | served req/s | {CostHeader} | max in flight | p99 ≤ 50 ms",
            settings.Fleets, async fleet =>
            {
                var inFlight = new InFlight();
                var round = await MeasureAsync(() => OpenLoopRoundAsync(client, agents[..fleet], polling, TimeSpan.FromSeconds(settings.Seconds), inFlight),
                    probe, changes, brokerPid);
                // Offered: a heartbeat and a target-state per agent per interval, and an event every 20th poll.
                var offered = fleet / PollIntervalSeconds * 2.05;
                return (round, $"| {fleet} | {offered:F0} | {round.PerSecond:F0} | {round.Columns()} | {inFlight.Max} | {(round.P99 <= P99GoalMs ? "yes" : "no")} |");
            });

    /// <summary>One Markdown table, a row per setting; returns the rounds' failed requests.</summary>
    private static async Task<long> TableAsync(string title, string columns, int[] settings, Func<int, Task<(Round Round, string Row)>> measure)
    {
        if (settings.Length == 0)
        {
            return 0;
        }
        Console.WriteLine();
        Console.WriteLine(title + ":");
        Console.WriteLine();
        Console.WriteLine($"| {columns} |");
        Console.WriteLine("|" + string.Concat(Enumerable.Repeat("---:|", columns.Split(" | ").Length)));
        long failures = 0;
        foreach (var setting in settings)
        {
            var (round, row) = await measure(setting);
            failures += round.Samples.Failures;
            Console.WriteLine(row);
        }
        return failures;
    }

    private static async Task<Round> MeasureAsync(Func<Task<(PollSamples, TimeSpan)>> run, ResourceProbe probe, StackChanges changes, int brokerPid)
    {
        var before = await probe.SnapshotAsync();
        using var pushing = changes.Start();
        var (samples, elapsed) = await run();
        await pushing.StopAsync();
        var cost = await probe.SnapshotAsync() - before;
        return new Round(samples, elapsed, cost, BrokerUnderTest.RssMiB(brokerPid));
    }

    private static async Task<(PollSamples, TimeSpan)> ClosedLoopRoundAsync(HttpClient client, FleetAgent[] agents, Polling polling,
        int concurrency, TimeSpan duration)
    {
        var samples = new PollSamples();
        long next = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                var n = Interlocked.Increment(ref next);
                await FleetPoll.RunAsync(client, agents[n % agents.Length], polling, n, samples, Stopwatch.GetTimestamp());
            }
        })));
        return (samples, clock.Elapsed);
    }

    /// <summary>
    /// Polls each agent once per interval, spread evenly, whatever the broker's answers take: requests pile up when
    /// the broker falls behind, which the latencies (counted from each poll's due time) and "max in flight" show.
    /// </summary>
    private static async Task<(PollSamples, TimeSpan)> OpenLoopRoundAsync(HttpClient client, FleetAgent[] fleet, Polling polling,
        TimeSpan duration, InFlight inFlight)
    {
        var samples = new PollSamples();
        var pollsPerSecond = fleet.Length / PollIntervalSeconds;
        var total = (long)(duration.TotalSeconds * pollsPerSecond);
        var polls = new List<Task>((int)total);
        var start = Stopwatch.GetTimestamp();
        // A random phase per round, so every round does not start with the same agents.
        var offset = Random.Shared.Next(fleet.Length);
        for (long sent = 0; sent < total;)
        {
            var due = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * pollsPerSecond);
            for (; sent < Math.Min(due, total); sent++)
            {
                var dueTimestamp = start + (long)(sent / pollsPerSecond * Stopwatch.Frequency);
                var agent = fleet[(offset + sent) % fleet.Length];
                var sequence = sent;
                polls.Add(inFlight.Track(() => FleetPoll.RunAsync(client, agent, polling, sequence, samples, dueTimestamp)));
            }
            await Task.Delay(1);
        }
        await Task.WhenAll(polls);
        return (samples, Stopwatch.GetElapsedTime(start));
    }

    private sealed class InFlight
    {
        private int _now, _max;

        public int Max => Volatile.Read(ref _max);

        public async Task Track(Func<Task> poll)
        {
            var now = Interlocked.Increment(ref _now);
            int seen;
            while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen)
            {
            }
            try
            {
                await poll();
            }
            finally
            {
                Interlocked.Decrement(ref _now);
            }
        }
    }
}
