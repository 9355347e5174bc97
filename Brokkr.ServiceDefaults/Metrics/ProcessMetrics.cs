using System.Diagnostics;
using System.Globalization;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>
/// The process_* families every Prometheus client library exposes, with client_golang's names and help texts. They
/// are read at scrape time (from /proc on Linux, from <see cref="Process"/> elsewhere) instead of through
/// instruments, so they describe exactly this process even when several hosts share it, and they cost nothing
/// between scrapes.
/// </summary>
internal static class ProcessMetrics
{
    // USER_HZ is 100 on every Linux architecture .NET runs on; procfs libraries (prometheus/procfs) assume the same.
    private const double ClockTicksPerSecond = 100;

    private static readonly Lazy<double> StartTimeSeconds = new(ReadStartTimeSeconds);

    public static IEnumerable<MetricFamily> Collect() => Collect(CountOpenFileDescriptors);

    /// <param name="countOpenFileDescriptors">
    /// The number of open descriptors, or null where the platform has no /proc. Reading /proc/self/fd can fail (a
    /// descriptor closing mid-listing, a restricted /proc): then process_open_fds is left out of this scrape instead of
    /// failing the whole scrape.
    /// </param>
    internal static IEnumerable<MetricFamily> Collect(Func<int?> countOpenFileDescriptors)
    {
        var families = new List<MetricFamily>();
        var stat = ReadProcStat();
        using var process = Process.GetCurrentProcess();
        var cpuSeconds = stat is null ? process.TotalProcessorTime.TotalSeconds : (stat.Value.UserTicks + stat.Value.SystemTicks) / ClockTicksPerSecond;
        var residentBytes = stat is null ? process.WorkingSet64 : stat.Value.ResidentPages * (double)Environment.SystemPageSize;
        var virtualBytes = stat is null ? process.VirtualMemorySize64 : stat.Value.VirtualBytes;

        families.Add(Single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", PrometheusMetricType.Counter, cpuSeconds));
        families.Add(Single("process_resident_memory_bytes", "Resident memory size in bytes.", PrometheusMetricType.Gauge, residentBytes));
        families.Add(Single("process_virtual_memory_bytes", "Virtual memory size in bytes.", PrometheusMetricType.Gauge, virtualBytes));
        families.Add(Single("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", PrometheusMetricType.Gauge, StartTimeSeconds.Value));

        if (TryCount(countOpenFileDescriptors) is { } openFds)
        {
            families.Add(Single("process_open_fds", "Number of open file descriptors.", PrometheusMetricType.Gauge, openFds));
        }

        if (ReadMaxOpenFiles() is { } maxFds)
        {
            families.Add(Single("process_max_fds", "Maximum number of open file descriptors.", PrometheusMetricType.Gauge, maxFds));
        }

        return families;
    }

    private static int? CountOpenFileDescriptors() =>
        Directory.Exists("/proc/self/fd") ? Directory.EnumerateFileSystemEntries("/proc/self/fd").Count() : null;

    private static int? TryCount(Func<int?> count)
    {
        try
        {
            return count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static MetricFamily Single(string name, string help, PrometheusMetricType type, double value)
    {
        var family = new MetricFamily(name, help, type);
        family.Series.Add(new MetricSeries([], value));
        return family;
    }

    private readonly record struct ProcStat(double UserTicks, double SystemTicks, double StartTicks, double VirtualBytes, double ResidentPages);

    private static ProcStat? ReadProcStat()
    {
        try
        {
            var text = File.ReadAllText("/proc/self/stat");
            // The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            double Field(int number) => double.Parse(fields[number - 3], CultureInfo.InvariantCulture);
            return new ProcStat(Field(14), Field(15), Field(22), Field(23), Field(24));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static double ReadStartTimeSeconds()
    {
        var stat = ReadProcStat();
        var bootTime = ReadBootTimeSeconds();
        if (stat is not null && bootTime is not null)
        {
            return bootTime.Value + stat.Value.StartTicks / ClockTicksPerSecond;
        }

        using var process = Process.GetCurrentProcess();
        return new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
    }

    private static double? ReadBootTimeSeconds()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").FirstOrDefault(l => l.StartsWith("btime ", StringComparison.Ordinal));
            return line is null ? null : double.Parse(line["btime ".Length..], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static double? ReadMaxOpenFiles()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var soft = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return soft is null || soft == "unlimited" ? null : double.Parse(soft, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
