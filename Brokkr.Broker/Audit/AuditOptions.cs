using Microsoft.Extensions.Configuration;

namespace Brokkr.Broker.Audit;

/// <summary>The audit settings of section <c>Brokkr:Broker</c> (upstream's <c>audit_log_retention_days</c> and ours).</summary>
public sealed class AuditOptions
{
    public const string Section = "Brokkr:Broker";

    /// <summary>False: nothing is recorded (for measurements that count every database command).</summary>
    [ConfigurationKeyName("audit_enabled")]
    public bool Enabled { get; set; } = true;

    /// <summary>Audit entries older than this many days are deleted; 0 keeps them forever.</summary>
    [ConfigurationKeyName("audit_log_retention_days")]
    public int RetentionDays { get; set; } = 90;

    /// <summary>How often retention runs (reloadable).</summary>
    [ConfigurationKeyName("audit_log_cleanup_interval_seconds")]
    public int CleanupIntervalSeconds { get; set; } = 3600;

    /// <summary>Entries waiting to be written, at most; past it new entries are dropped and counted, never waited for.</summary>
    [ConfigurationKeyName("audit_queue_capacity")]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary><c>auth.failed</c> entries one source address may cause per minute; 0 records every 401.</summary>
    [ConfigurationKeyName("audit_auth_failures_per_minute")]
    public int AuthFailuresPerMinute { get; set; } = 60;

    /// <summary>Most entries one INSERT writes.</summary>
    [ConfigurationKeyName("audit_batch_size")]
    public int BatchSize { get; set; } = 100;
}
