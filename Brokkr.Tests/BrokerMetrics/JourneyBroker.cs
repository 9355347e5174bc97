namespace Brokkr.Tests.BrokerMetrics;

/// <summary>
/// The broker of the journey: probes excluded from the HTTP families, no periodic fleet refresh (refreshes come
/// only from the journey's heartbeats, so until the first one database commands come only from its requests), an
/// auth cache that outlives the test.
/// </summary>
public sealed class JourneyBroker : BrokerProcess
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["BROKKR__BROKER__METRICS_EXCLUDED_PATHS"] = "/healthz",
        ["BROKKR__BROKER__FLEET_METRICS_REFRESH_SECONDS"] = "3600",
        ["BROKKR__BROKER__AUTH_CACHE_TTL_SECONDS"] = "3600",
        // Work-order maintenance queries the database on its own clock; a tick inside the journey's database window
        // would count commands the journey did not send.
        ["BROKKR__BROKER__WORK_ORDER_MAINTENANCE_SECONDS"] = "3600",
        // The journey counts every database command; the audit writer's inserts would land in its windows at random.
        ["BROKKR__BROKER__AUDIT_ENABLED"] = "false",
        // Likewise the loops that send their own commands: channel presence, webhook delivery, telemetry retention.
        ["BROKKR__BROKER__CHANNEL_PRESENCE_LEASE_SECONDS"] = "10800",
        ["BROKKR__BROKER__WEBHOOK_DELIVERY_INTERVAL_SECONDS"] = "3600",
        ["BROKKR__BROKER__TELEMETRY_EVICTION_INTERVAL_SECONDS"] = "3600",
    };
}
