namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>The Prometheus 0.0.4 family types this exporter writes.</summary>
public enum PrometheusMetricType
{
    Counter,
    Gauge,
    Histogram,
}
