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

    /// <summary>With <paramref name="includeReapedChildren"/>, also the CPU of children that exited and were waited for.</summary>
    public static TimeSpan Of(int pid, bool includeReapedChildren = false)
    {
        var fields = Fields(pid);
        if (fields is null)
        {
            return TimeSpan.Zero; // exited since it was listed
        }
        // utime, stime, cutime, cstime are fields 14–17 of the whole line.
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]) + (includeReapedChildren ? long.Parse(fields[13]) + long.Parse(fields[14]) : 0);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    public static int? ParentOf(int pid) => Fields(pid) is { } fields ? int.Parse(fields[1]) : null;

    /// <summary>The fields after the parenthesised command name (which may itself hold spaces).</summary>
    private static string[]? Fields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }
}
