using Microsoft.Extensions.Configuration;

namespace Brokkr.Broker.Configuration;

/// <summary>Section <c>Brokkr:Broker</c> (env <c>BROKKR__BROKER__*</c>, TOML <c>[broker]</c>).</summary>
public sealed class BrokerOptions
{
    public const string Section = "Brokkr:Broker";

    /// <summary>SHA-256 (hex) of the public development admin PAK, which the shipped defaults accept (spec §2.6).</summary>
    public const string DevelopmentAdminPakHash = "4c697273df3d764cba950bb5c04368097685f09259f5bd880d892cf1ff9f4cdd";

    /// <summary>Admin PAK hash used on first start; empty means "mint a fresh admin PAK".</summary>
    [ConfigurationKeyName("pak_hash")]
    public string? PakHash { get; set; } = DevelopmentAdminPakHash;

    /// <summary>
    /// How long a resolved PAK is cached. Rotation and deletion revoke at once on every replica (NOTIFY), and the cache
    /// is suspended while that cannot be heard, so the TTL only bounds changes made behind the API's back; ten minutes
    /// keeps a 10 s poller's cache misses near one request in 120.
    /// </summary>
    [ConfigurationKeyName("auth_cache_ttl_seconds")]
    public int AuthCacheTtlSeconds { get; set; } = 600;

    /// <summary>Most PAKs cached at once (about 370 bytes each): room for 100,000 agents plus their generators.</summary>
    [ConfigurationKeyName("auth_cache_max_entries")]
    public int AuthCacheMaxEntries { get; set; } = 150_000;

    /// <summary>Failed PAK verifications one client address may make in a burst before it gets 429; 0 disables the limit.</summary>
    [ConfigurationKeyName("auth_failure_burst")]
    public int AuthFailureBurst { get; set; } = 20;

    /// <summary>How fast a client address's failure budget refills, in failures per minute; 0 disables the limit.</summary>
    [ConfigurationKeyName("auth_failures_per_minute")]
    public int AuthFailuresPerMinute { get; set; } = 30;

    /// <summary>Agent events older than this many days are hard-deleted hourly (spec §1.5); 0 disables.</summary>
    [ConfigurationKeyName("agent_events_retention_days")]
    public int AgentEventsRetentionDays { get; set; } = 30;

    /// <summary>
    /// How often work orders are maintained: stale claims released, expired retry backoffs made PENDING, the queue
    /// gauges refreshed.
    /// </summary>
    [ConfigurationKeyName("work_order_maintenance_seconds")]
    public int WorkOrderMaintenanceSeconds { get; set; } = 10;

    /// <summary>
    /// How often diagnostic requests past their <c>expires_at</c> are swept to expired (never claimed) or failed
    /// (claimed, no result), old finished ones deleted, and the diagnostic gauges refreshed (upstream's key).
    /// </summary>
    [ConfigurationKeyName("diagnostic_cleanup_interval_seconds")]
    public int DiagnosticCleanupIntervalSeconds { get; set; } = 60;

    /// <summary>Finished diagnostic requests (and their results) are deleted this many hours after they finished.</summary>
    [ConfigurationKeyName("diagnostic_max_age_hours")]
    public int DiagnosticMaxAgeHours { get; set; } = 1;

    /// <summary>
    /// How long a replica's record of its agents' WebSocket channels counts without renewal (renewed every third of
    /// it): after a replica dies without a clean shutdown, the fleet view shows its agents disconnected within this.
    /// </summary>
    [ConfigurationKeyName("channel_presence_lease_seconds")]
    public int ChannelPresenceLeaseSeconds { get; set; } = 30;

    /// <summary>Largest accepted request body; bigger ones get 413 <c>payload_too_large</c>.</summary>
    [ConfigurationKeyName("max_request_body_bytes")]
    public long MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Apply EF Core migrations at startup; turn off when a deploy job migrates instead.</summary>
    [ConfigurationKeyName("migrate_on_startup")]
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>Where a freshly minted admin PAK is written on first start when no hash is configured.</summary>
    [ConfigurationKeyName("admin_key_file")]
    public string AdminKeyFile { get; set; } = "/tmp/brokkr-keys/key.txt";
}

/// <summary>Section <c>Brokkr:Pak</c>: the PAK format of spec §2.1.</summary>
public sealed class PakOptions
{
    public const string Section = "Brokkr:Pak";

    [ConfigurationKeyName("prefix")]
    public string Prefix { get; set; } = "brokkr";

    [ConfigurationKeyName("short_token_prefix")]
    public string ShortTokenPrefix { get; set; } = "BR";

    [ConfigurationKeyName("short_token_length")]
    public int ShortTokenLength { get; set; } = 8;

    [ConfigurationKeyName("long_token_length")]
    public int LongTokenLength { get; set; } = 24;
}
