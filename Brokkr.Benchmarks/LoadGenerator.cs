using System.Diagnostics;

namespace Brokkr.Benchmarks;

/// <summary>What one timed round against one broker measured.</summary>
public sealed record RoundResult(long Requests, long Failures, TimeSpan Elapsed, TimeSpan BrokerCpu)
{
    public double PerSecond => Requests / Elapsed.TotalSeconds;

    public double CpuMicrosecondsPerRequest => BrokerCpu.TotalMicroseconds / Requests;
}

/// <summary>A closed-loop load: <c>concurrency</c> workers, each sending the next request when the last one is read.</summary>
public static class LoadGenerator
{
    public static async Task<RoundResult> RunAsync(HttpClient client, string path, int concurrency, TimeSpan duration, int brokerPid)
    {
        long requests = 0, failures = 0;
        var cpuBefore = ProcessCpu.Of(brokerPid);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                using var response = await client.GetAsync(path, HttpCompletionOption.ResponseContentRead);
                Interlocked.Increment(ref response.IsSuccessStatusCode ? ref requests : ref failures);
            }
        }));
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed;
        return new RoundResult(requests, failures, elapsed, ProcessCpu.Of(brokerPid) - cpuBefore);
    }
}

/// <summary>User + system CPU time of a process, from /proc/&lt;pid&gt;/stat (Linux; USER_HZ is 100).</summary>
public static class ProcessCpu
{
    private const double TicksPerSecond = 100;

    public static TimeSpan Of(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the whole line.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return TimeSpan.FromSeconds((long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond);
    }
}
