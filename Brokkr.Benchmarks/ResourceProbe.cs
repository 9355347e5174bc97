using System.Globalization;

namespace Brokkr.Benchmarks;

/// <summary>What the broker and its PostgreSQL had spent at one moment; a round's cost is the difference of two.</summary>
public sealed record ResourceSnapshot(TimeSpan BrokerCpu, TimeSpan PostgresCpu, double AllocatedBytes)
{
    public static ResourceSnapshot operator -(ResourceSnapshot after, ResourceSnapshot before) =>
        new(after.BrokerCpu - before.BrokerCpu, after.PostgresCpu - before.PostgresCpu, after.AllocatedBytes - before.AllocatedBytes);
}

/// <summary>
/// Reads the broker's CPU from /proc, its managed allocations from its own /metrics
/// (<c>dotnet_gc_heap_total_allocated_bytes_total</c>), and the CPU of one PostgreSQL cluster: the postmaster with the
/// children it has reaped (cutime/cstime) plus its live backends — so other clusters on the machine do not count.
/// </summary>
public sealed class ResourceProbe(HttpClient broker, int brokerPid, string postgresDataDirectory)
{
    public async Task<ResourceSnapshot> SnapshotAsync() =>
        new(ProcessCpu.Of(brokerPid), PostgresCpu(), await BrokerCounterAsync("dotnet_gc_heap_total_allocated_bytes_total"));

    /// <summary>The broker's count of methods it has jitted: the benchmark warms up until it stops growing.</summary>
    public Task<double> JittedMethodsAsync() => BrokerCounterAsync("dotnet_jit_compiled_methods_total");

    /// <summary>The value of a family with one unlabelled series in the broker's own exposition.</summary>
    private async Task<double> BrokerCounterAsync(string family) =>
        SeriesValues(await broker.GetStringAsync("/metrics"), family).First();

    /// <summary>The value of every series of <paramref name="family"/> in a Prometheus text exposition.</summary>
    public static IEnumerable<double> SeriesValues(string exposition, string family) =>
        exposition.Split('\n')
            .Where(l => l.StartsWith(family + " ", StringComparison.Ordinal) || l.StartsWith(family + "{", StringComparison.Ordinal))
            // "name{labels} value [timestamp]": the value is the first field after the series name.
            .Select(l => l[(l.LastIndexOf('}') is var brace and >= 0 ? brace + 1 : family.Length)..])
            .Select(v => double.Parse(v.Trim().Split(' ')[0], CultureInfo.InvariantCulture));

    private TimeSpan PostgresCpu()
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(postgresDataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        var total = ProcessCpu.Of(postmaster, includeReapedChildren: true);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && ProcessCpu.ParentOf(pid) == postmaster)
            {
                total += ProcessCpu.Of(pid);
            }
        }
        return total;
    }
}
