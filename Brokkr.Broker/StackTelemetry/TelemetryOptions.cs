using Microsoft.Extensions.Configuration;

namespace Brokkr.Broker.StackTelemetry;

/// <summary>
/// The stack telemetry settings of section <c>Brokkr:Broker</c>. Retention may be shortened, never lengthened past
/// <see cref="RetentionCeilingSeconds"/>: Brokkr is a short-lived buffer for operational support, not a log store
/// (upstream's product stance), so a larger value is clamped to the ceiling rather than honoured.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "Brokkr:Broker";

    /// <summary>Six hours: the hard upper bound of retention, reported as <c>retention_ceiling_seconds</c>.</summary>
    public const int RetentionCeilingSeconds = 6 * 60 * 60;

    [ConfigurationKeyName("telemetry_retention_seconds")]
    public int RetentionSeconds { get; set; } = RetentionCeilingSeconds;

    /// <summary>How often the retention task deletes rows past the window (upstream ticks every 60 s).</summary>
    [ConfigurationKeyName("telemetry_eviction_interval_seconds")]
    public int EvictionIntervalSeconds { get; set; } = 60;

    /// <summary>Frames waiting to be written, at most; past it frames are dropped and counted, never waited for.</summary>
    [ConfigurationKeyName("telemetry_queue_capacity")]
    public int QueueCapacity { get; set; } = 20_000;

    /// <summary>Most rows one COPY writes.</summary>
    [ConfigurationKeyName("telemetry_batch_size")]
    public int BatchSize { get; set; } = 1_000;

    /// <summary>The retention actually applied: the configured value, clamped to [60 s, the ceiling].</summary>
    public int EffectiveRetentionSeconds => Math.Clamp(RetentionSeconds, 60, RetentionCeilingSeconds);
}
