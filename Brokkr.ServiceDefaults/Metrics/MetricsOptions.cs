using Microsoft.Extensions.Configuration;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>
/// The scalar metrics settings, bound from configuration section <c>Brokkr:Metrics</c> (environment variables
/// <c>BROKKR__METRICS__ENABLED</c>, <c>BROKKR__METRICS__PATH</c>, <c>BROKKR__METRICS__INCLUDE_PROCESS_METRICS</c>,
/// <c>BROKKR__METRICS__CARDINALITY_LIMIT</c>). The two list settings of the same section are read by
/// <see cref="MetricsSettings.From"/> in each shape they come in: <c>global_labels</c> (labels added to every series,
/// "name=value" items, e.g. "env=prod,region=eu") and <c>buckets:&lt;family&gt;</c> (histogram bucket upper bounds of
/// one family, keyed by its Prometheus family name or its instrument name, e.g. "0.01,0.05,0.1,0.5,1"; +Inf is implicit).
/// </summary>
public sealed class MetricsOptions
{
    public const string SectionName = "Brokkr:Metrics";

    /// <summary>When false no MeterProvider is built (nothing is recorded) and the metrics path answers 404.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Path of the Prometheus scrape endpoint.</summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>Whether /metrics includes process_cpu_seconds_total, process_resident_memory_bytes and friends.</summary>
    [ConfigurationKeyName("include_process_metrics")]
    public bool IncludeProcessMetrics { get; set; } = true;

    /// <summary>
    /// Most series one family may hold (OpenTelemetry's cardinality limit, 2000 by default); further label sets are
    /// folded into one series labelled <c>otel_metric_overflow="true"</c>. Raise it for fleets of more than ~2000 agents
    /// with per-agent series on; each family reserves memory for this many series.
    /// </summary>
    [ConfigurationKeyName("cardinality_limit")]
    public int? CardinalityLimit { get; set; }
}
