using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>
/// The instruments a service has published, so that a family still gets its HELP and TYPE lines while it has no
/// points: the SDK's collection skips metrics without points, so a labelled counter or a histogram would otherwise be
/// missing from /metrics until its first measurement. A text block with HELP and TYPE but no samples is valid
/// exposition 0.0.4 (Python's prometheus_client writes labelled metrics without children that way) and promtool
/// accepts it. The listener only reads publication metadata; it enables no measurements, so it costs nothing per
/// measurement and does not count as a listener in <see cref="Instrument.Enabled"/>.
/// </summary>
internal sealed class PublishedInstruments : IDisposable
{
    private readonly ConcurrentDictionary<Instrument, bool> instruments = new();
    private readonly MeterListener listener;

    /// <param name="include">Which instruments to describe: the service's own, not the built-in .NET meters.</param>
    public PublishedInstruments(Func<Instrument, bool> include)
    {
        listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (include(instrument))
                {
                    instruments.TryAdd(instrument, true);
                }
            },
        };
        listener.Start();
    }

    /// <summary>
    /// A family without series for every described instrument that some MeterProvider records (a disposed meter's
    /// instruments, and instruments the SDK dropped, are not <see cref="Instrument.Enabled"/>).
    /// </summary>
    public IEnumerable<MetricFamily> Families()
    {
        foreach (var instrument in instruments.Keys)
        {
            if (instrument.Enabled && MetricFamilyConverter.TypeOf(instrument) is { } type)
            {
                yield return new MetricFamily(PrometheusNaming.FamilyName(instrument.Name, instrument.Unit, type),
                    MetricFamilyConverter.HelpText(instrument.Name, instrument.Description, instrument.Meter.Name), type);
            }
        }
    }

    public void Dispose() => listener.Dispose();
}
