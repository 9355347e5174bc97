using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Brokkr.Tests.BrokerMetrics;

/// <summary>
/// Listens to the instruments of one <see cref="Meter"/> instance — one in-process broker's — and keeps every
/// measurement, so a test reads exact values although other brokers in this process record instruments of the same
/// names. Used where the test must reach into the broker (its clock, an extra endpoint); tests that only need the
/// exposition run the broker in its own process and scrape it.
/// </summary>
public sealed class MeterReader : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly List<(string Instrument, Dictionary<string, string> Tags, double Value)> _recorded = [];
    private List<(string Instrument, Dictionary<string, string> Tags, double Value)>? _observing;

    public MeterReader(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Add(i, value, tags));
        _listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Add(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Add(i, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of every measurement of a counter or histogram whose tags include <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Sum(m => m.Value);

    /// <summary>How many measurements a counter or histogram took with these tags (a histogram's _count).</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Count();

    /// <summary>The label sets seen for <paramref name="instrument"/>.</summary>
    public IReadOnlyList<Dictionary<string, string>> TagSets(string instrument)
    {
        lock (_lock)
        {
            return _recorded.Where(m => m.Instrument == instrument).Select(m => m.Tags).ToList();
        }
    }

    /// <summary>Runs the observable instruments' callbacks now: the values a scrape would export.</summary>
    public IReadOnlyList<(Dictionary<string, string> Tags, double Value)> Observe(string instrument)
    {
        lock (_lock)
        {
            _observing = [];
            _listener.RecordObservableInstruments();
            var observed = _observing.Where(m => m.Instrument == instrument).Select(m => (m.Tags, m.Value)).ToList();
            _observing = null;
            return observed;
        }
    }

    /// <summary>The one value of an unlabelled observable gauge.</summary>
    public double Gauge(string instrument) => Observe(instrument).Single().Value;

    /// <summary>
    /// Polls <paramref name="condition"/> for up to 20 s; the caller then asserts the values, so a timeout fails with
    /// what was actually there.
    /// </summary>
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition() && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
        }
    }

    public void Dispose() => _listener.Dispose();

    private List<(string Instrument, Dictionary<string, string> Tags, double Value)> Matching(string instrument,
        (string Key, string Value)[] tags)
    {
        lock (_lock)
        {
            return _recorded.Where(m => m.Instrument == instrument &&
                tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value)).ToList();
        }
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString() ?? "";
        }
        lock (_lock)
        {
            (instrument.IsObservable ? _observing : _recorded)?.Add((instrument.Name, copy, value));
        }
    }
}
