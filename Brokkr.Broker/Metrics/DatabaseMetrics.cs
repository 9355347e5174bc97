using System.Diagnostics.Metrics;

namespace Brokkr.Broker.Metrics;

/// <summary>The <c>brokkr_database_*</c> instruments, fed by <see cref="DatabaseMetricsInterceptor"/>.</summary>
public sealed class DatabaseMetrics
{
    public static readonly double[] DurationBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    private readonly Counter<long> _queries;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _errors;

    public DatabaseMetrics(BrokerMeter meter)
    {
        var m = meter.Meter;
        _queries = m.CreateCounter<long>("brokkr_database_queries_total",
            description: "Database commands sent by the broker, by SQL operation");
        _duration = m.CreateHistogram<double>("brokkr_database_query_duration_seconds", "s", "Database command execution time",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _errors = m.CreateCounter<long>("brokkr_database_errors_total",
            description: "Database commands that failed, by SQL operation");
        // The five operations are the whole label set, so both counters start at an honest zero for each.
        foreach (var operation in SqlOperation.All)
        {
            _queries.Add(0, new KeyValuePair<string, object?>("operation", operation));
            _errors.Add(0, new KeyValuePair<string, object?>("operation", operation));
        }
    }

    /// <summary>A command was sent and answered (or cancelled), whatever the answer.</summary>
    public void Executed(string operation, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("operation", operation);
        _queries.Add(1, tag);
        _duration.Record(duration.TotalSeconds, tag);
    }

    /// <summary>A command <see cref="Executed"/> already failed.</summary>
    public void Failed(string operation) => _errors.Add(1, new KeyValuePair<string, object?>("operation", operation));
}
