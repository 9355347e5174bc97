using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>
/// The process_* families every Prometheus client library exposes, with client_golang's names and help texts, which
/// OpenTelemetry's process instrumentation (process_cpu_time_seconds_total, process_memory_usage_bytes, …) does not
/// provide. Observable instruments read from /proc on Linux (from <see cref="Process"/> elsewhere) at collection
/// time, so they cost nothing between scrapes.
/// </summary>
internal sealed class ProcessMetrics : IDisposable
{
    public const string MeterName = "Brokkr.ServiceDefaults.Process";

    // USER_HZ is 100 on every Linux architecture .NET runs on; procfs libraries (prometheus/procfs) assume the same.
    private const double ClockTicksPerSecond = 100;

    private static readonly Lazy<double> StartTimeSeconds = new(ReadStartTimeSeconds);

    private readonly Meter meter;

    /// <param name="meters">The host's factory: each host in a process exposes the family once, as its own.</param>
    /// <param name="countOpenFileDescriptors">
    /// The number of open descriptors, or null where the platform has no /proc. Reading /proc/self/fd can fail (a
    /// descriptor closing mid-listing, a restricted /proc): then process_open_fds is left out of that scrape instead
    /// of failing the whole scrape.
    /// </param>
    public ProcessMetrics(IMeterFactory meters, Func<int?>? countOpenFileDescriptors = null)
    {
        var openFds = countOpenFileDescriptors ?? CountOpenFileDescriptors;
        meter = meters.Create(MeterName);
        // No units: the names already end in theirs, and the exporter would append another.
        meter.CreateObservableCounter("process_cpu_seconds_total", () => Read(s => s.CpuSeconds),
            description: "Total user and system CPU time spent in seconds.");
        meter.CreateObservableGauge("process_resident_memory_bytes", () => Read(s => s.ResidentBytes),
            description: "Resident memory size in bytes.");
        meter.CreateObservableGauge("process_virtual_memory_bytes", () => Read(s => s.VirtualBytes),
            description: "Virtual memory size in bytes.");
        meter.CreateObservableGauge("process_start_time_seconds", () => StartTimeSeconds.Value,
            description: "Start time of the process since unix epoch in seconds.");
        meter.CreateObservableGauge("process_open_fds", () => TryCount(openFds) is { } count ? [new Measurement<double>(count)] : Array.Empty<Measurement<double>>(),
            description: "Number of open file descriptors.");
        meter.CreateObservableGauge("process_max_fds", () => ReadMaxOpenFiles() is { } max ? [new Measurement<double>(max)] : Array.Empty<Measurement<double>>(),
            description: "Maximum number of open file descriptors.");
    }

    public void Dispose() => meter.Dispose();

    private readonly record struct Sample(double CpuSeconds, double ResidentBytes, double VirtualBytes);

    /// <summary>One reading of /proc/self/stat (or <see cref="Process"/> where there is no /proc).</summary>
    private static double Read(Func<Sample, double> value)
    {
        var stat = ReadProcStat();
        if (stat is { } s)
        {
            return value(new Sample((s.UserTicks + s.SystemTicks) / ClockTicksPerSecond, s.ResidentPages * (double)Environment.SystemPageSize, s.VirtualBytes));
        }

        using var process = Process.GetCurrentProcess();
        return value(new Sample(process.TotalProcessorTime.TotalSeconds, process.WorkingSet64, process.VirtualMemorySize64));
    }

    /// <summary>
    /// Counts /proc/self/fdinfo, which has one regular file per open descriptor, as /proc/self/fd has one symbolic link
    /// per descriptor. .NET's directory enumeration stats the target of every symbolic link it lists (two system calls
    /// per descriptor, most of a scrape's cost in a busy broker); regular files need none.
    /// </summary>
    private static int? CountOpenFileDescriptors() =>
        Directory.Exists("/proc/self/fdinfo") ? Directory.EnumerateFileSystemEntries("/proc/self/fdinfo").Count() : null;

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
