using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Telemetry;

/// <summary>A broker with retention shortened to an hour (lower is allowed, higher never) and a one-second fleet sweep.</summary>
public sealed class TelemetryBroker : BrokerHost
{
    public const int RetentionSeconds = 3600;

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Brokkr:Broker:telemetry_retention_seconds"] = RetentionSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Brokkr:Broker:fleet_live_interval_seconds"] = "1",
    };
}
