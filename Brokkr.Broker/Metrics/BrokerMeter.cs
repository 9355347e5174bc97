using System.Diagnostics.Metrics;
using Brokkr.ServiceDefaults.Telemetry;

namespace Brokkr.Broker.Metrics;

/// <summary>The broker's one meter; ServiceDefaults exports every meter named <c>Brokkr.*</c>.</summary>
public sealed class BrokerMeter
{
    public const string Name = "Brokkr.Broker";

    /// <param name="providers">
    /// Taken so the MeterProvider listens before any broker instrument exists: the zero measurements that make
    /// families visible from startup would otherwise be dropped for want of a listener.
    /// </param>
    public BrokerMeter(IMeterFactory factory, TelemetryProviders providers)
    {
        Meter = factory.Create(Name);
        Enabled = providers.MeterProvider is not null;
    }

    public Meter Meter { get; }

    /// <summary>False when metrics are off; the broker then installs none of its recording hooks.</summary>
    public bool Enabled { get; }
}
