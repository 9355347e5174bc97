using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>Settings of one <see cref="PrometheusTextExporter"/>.</summary>
public sealed class PrometheusExporterOptions
{
    /// <summary>Labels added to every series (a series' own label of the same name wins). Names must be valid.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> GlobalLabels { get; init; } = [];

    /// <summary>Adds the process_* families (CPU, memory, start time, file descriptors) read from /proc.</summary>
    public bool IncludeProcessMetrics { get; init; } = true;

    /// <summary>How long one collection may take before the scrape fails.</summary>
    public int CollectTimeoutMilliseconds { get; init; } = 10_000;

    /// <summary>
    /// Instruments whose family is written — HELP and TYPE, no samples — while it has no points yet, so that it exists
    /// from startup (a labelled counter before its first label set, a histogram before its first observation). Null
    /// writes only families with points, as the SDK collects them.
    /// </summary>
    public Func<Instrument, bool>? DescribeBeforeFirstPoint { get; init; }

    /// <summary>Warned once per distinct problem when a scrape has to drop points (type conflicts, duplicate series).</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;
}
