namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>One Prometheus family (a "# TYPE" block) as collected for a single scrape.</summary>
internal sealed class MetricFamily(string name, string help, PrometheusMetricType type)
{
    public string Name { get; } = name;

    public string Help { get; } = help;

    public PrometheusMetricType Type { get; } = type;

    public List<MetricSeries> Series { get; } = [];
}

/// <summary>One series of a family. <see cref="Labels"/> are sorted by name and unique.</summary>
internal sealed class MetricSeries(IReadOnlyList<KeyValuePair<string, string>> labels, double value)
{
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; } = labels;

    /// <summary>Counter or gauge value; the sum for histograms.</summary>
    public double Value { get; } = value;

    /// <summary>Histogram only: upper bounds (the last one +Inf) with cumulative counts.</summary>
    public IReadOnlyList<(double UpperBound, long CumulativeCount)>? Buckets { get; init; }

    /// <summary>Histogram only.</summary>
    public long Count { get; init; }

    public MetricSeries WithLabels(IReadOnlyList<KeyValuePair<string, string>> labels) =>
        new(labels, Value) { Buckets = Buckets, Count = Count };
}
