using Brokkr.ServiceDefaults.Metrics;

namespace Brokkr.Tests.ServiceDefaults;

public sealed class ProcessMetricsTests
{
    [Fact]
    public void A_failing_file_descriptor_listing_leaves_out_only_process_open_fds()
    {
        var families = ProcessMetrics.Collect(() => throw new IOException("descriptor closed while listing")).Select(f => f.Name).ToList();

        Assert.DoesNotContain("process_open_fds", families);
        Assert.Contains("process_cpu_seconds_total", families);
        Assert.Contains("process_resident_memory_bytes", families);
        Assert.Contains("process_start_time_seconds", families);
    }

    [Fact]
    public void Open_file_descriptors_are_counted_from_proc()
    {
        var openFds = ProcessMetrics.Collect().Single(f => f.Name == "process_open_fds").Series.Single().Value;

        Assert.Equal(Directory.EnumerateFileSystemEntries("/proc/self/fd").Count(), openFds, tolerance: 20);
    }
}
