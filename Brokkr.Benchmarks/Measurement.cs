using System.Diagnostics;

namespace Brokkr.Benchmarks;

/// <summary>Timing of one operation: warm-up, then a fixed number of timed runs; reports per-operation figures.</summary>
internal sealed record Measurement(string Name, int Operations, double MeanMicroseconds, double MedianMicroseconds,
    double P95Microseconds, double AllocatedBytesPerOperation, double CpuMicroseconds)
{
    public static async Task<Measurement> RunAsync(string name, int warmup, int operations, Func<Task> operation)
    {
        for (var i = 0; i < warmup; i++)
        {
            await operation();
        }

        var samples = new double[operations];
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        // The process's CPU time (every thread: server, client, GC, finalizer) per operation: on a machine shared with
        // other work, wall-clock figures carry the others' load, CPU time much less of it.
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < operations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await operation();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        total.Stop();
        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Array.Sort(samples);
        return new Measurement(name, operations, total.Elapsed.TotalMicroseconds / operations,
            samples[operations / 2], samples[(int)(operations * 0.95)], (double)allocated / operations,
            cpu.TotalMicroseconds / operations);
    }

    public override string ToString() =>
        $"| {Name} | {Operations} | {MeanMicroseconds:F1} | {MedianMicroseconds:F1} | {P95Microseconds:F1} | {AllocatedBytesPerOperation / 1024:F1} | {CpuMicroseconds:F1} |";

    public const string TableHeader =
        "| benchmark | operations | mean µs | median µs | p95 µs | allocated KiB/op | CPU µs/op |\n|---|---:|---:|---:|---:|---:|---:|";
}
