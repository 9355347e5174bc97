using OpenTelemetry.Metrics;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>
/// What a service needs to know about its metrics. Taking it resolves the MeterProvider, so the provider listens
/// before the service creates its instruments: the zero measurements that put counters in the first scrape would
/// otherwise be dropped for want of a listener.
/// </summary>
public sealed class BrokkrMetrics(string path, MeterProvider? provider)
{
    /// <summary>False when metrics are off (Brokkr:Metrics:Enabled=false or OTEL_SDK_DISABLED=true).</summary>
    public bool Enabled { get; } = provider is not null;

    /// <summary>The scrape endpoint's path (leading '/', trimmed).</summary>
    public string Path { get; } = path;
}
