using Brokkr.Broker.Startup;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// <c>brokkr_default_admin_pak_hash_in_use</c>: 1 while the public development admin PAK is accepted, else 0, as
/// <see cref="DefaultAdminKeyMonitor"/> last found (at startup, before the first request, then hourly).
/// </summary>
public sealed class DefaultAdminKeyGauge
{
    public DefaultAdminKeyGauge(BrokerMeter meter, DefaultAdminKeyMonitor monitor) =>
        meter.Meter.CreateObservableGauge("brokkr_default_admin_pak_hash_in_use", () => monitor.DefaultKeyInUse ? 1 : 0,
            description: "1 while the public development admin PAK is accepted, else 0");
}
