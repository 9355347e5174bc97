using System.Diagnostics.Metrics;
using Brokkr.ServiceDefaults.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.Tests.ServiceDefaults;

public sealed class ProcessMetricsTests
{
    [Fact]
    public void A_failing_file_descriptor_listing_leaves_out_only_process_open_fds()
    {
        var values = Observe(() => throw new IOException("descriptor closed while listing"));

        Assert.DoesNotContain("process_open_fds", values.Keys);
        Assert.True(values["process_cpu_seconds_total"] > 0);
        Assert.True(values["process_resident_memory_bytes"] > 10_000_000);
        Assert.InRange(values["process_start_time_seconds"],
            DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
    }

    [Fact]
    public void Open_file_descriptors_are_counted_from_proc()
    {
        var values = Observe(null);

        Assert.Equal(Directory.EnumerateFileSystemEntries("/proc/self/fd").Count(), values["process_open_fds"], tolerance: 20);
        Assert.True(values["process_max_fds"] > 0);
    }

    /// <summary>One observation of every instrument of a fresh <see cref="ProcessMetrics"/>.</summary>
    private static Dictionary<string, double> Observe(Func<int?>? countOpenFileDescriptors)
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var values = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => values[instrument.Name] = value);
        listener.Start();
        using var metrics = new ProcessMetrics(factory, countOpenFileDescriptors);
        listener.RecordObservableInstruments();
        return values;
    }
}
