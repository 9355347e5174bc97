using System.Diagnostics.Metrics;
using Brokkr.ServiceDefaults.Metrics;

namespace Brokkr.Broker.Metrics;

/// <summary>The broker's one meter; ServiceDefaults exports every meter named <c>Brokkr.*</c>.</summary>
public sealed class BrokerMeter
{
    public const string Name = "Brokkr.Broker";

    /// <param name="metrics">Taken so the MeterProvider listens before any broker instrument exists.</param>
    public BrokerMeter(IMeterFactory factory, BrokkrMetrics metrics)
    {
        Meter = factory.Create(Name);
        Enabled = metrics.Enabled;
    }

    public Meter Meter { get; }

    /// <summary>False when metrics are off; the broker then installs none of its recording hooks.</summary>
    public bool Enabled { get; }
}
