using Brokkr.Broker.Metrics;
using Brokkr.Tests.Broker;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.Tests.BrokerMetrics;

/// <summary>
/// An in-process broker whose own meter a <see cref="MeterReader"/> reads, with no periodic fleet refresh, so the
/// database commands it sends are the test's.
/// </summary>
public class MeteredBroker : BrokerHost
{
    public MeterReader Metrics { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Brokkr:Broker:fleet_metrics_refresh_seconds"] = "3600",
        // Its tests count database commands exactly; the audit writer's asynchronous inserts would add to them.
        ["Brokkr:Broker:audit_enabled"] = "false",
        // Likewise the loops that send their own commands: channel presence, webhook delivery, telemetry retention.
        ["Brokkr:Broker:channel_presence_lease_seconds"] = "10800",
        ["Brokkr:Broker:webhook_delivery_interval_seconds"] = "3600",
        ["Brokkr:Broker:telemetry_eviction_interval_seconds"] = "3600",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Metrics = new MeterReader(Services.GetRequiredService<BrokerMeter>().Meter);
    }

    public override async Task DisposeAsync()
    {
        Metrics.Dispose();
        await base.DisposeAsync();
    }
}
