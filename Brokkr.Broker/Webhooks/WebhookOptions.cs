using Microsoft.Extensions.Configuration;

namespace Brokkr.Broker.Webhooks;

/// <summary>The webhook settings of section <c>Brokkr:Broker</c> (upstream's key names), read once at startup.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Brokkr:Broker";

    /// <summary>64 hex characters: the AES-256-GCM key that encrypts subscription URLs and auth headers.</summary>
    [ConfigurationKeyName("webhook_encryption_key")]
    public string? EncryptionKey { get; set; }

    /// <summary>Keys being rotated away from: still decrypt, and rows under them are re-encrypted at startup.</summary>
    [ConfigurationKeyName("webhook_encryption_previous_keys")]
    public List<string> PreviousEncryptionKeys { get; set; } = [];

    /// <summary>
    /// How much longer than its HTTP timeout a claim on a delivery lasts. The attempt is cut off before the claim
    /// ends, so a claim never expires — and the delivery is never claimed again — while its POST is in flight.
    /// </summary>
    [ConfigurationKeyName("webhook_claim_margin_seconds")]
    public int ClaimMarginSeconds { get; set; } = 30;

    [ConfigurationKeyName("webhook_delivery_interval_seconds")]
    public double DeliveryIntervalSeconds { get; set; } = 5;

    [ConfigurationKeyName("webhook_delivery_batch_size")]
    public int DeliveryBatchSize { get; set; } = 50;

    /// <summary>Deliveries one broker sends at the same time: a slow receiver holds one slot, not the worker.</summary>
    [ConfigurationKeyName("webhook_delivery_concurrency")]
    public int DeliveryConcurrency { get; set; } = 8;

    /// <summary>Base of the exponential backoff: attempt n is retried after base·2ⁿ⁻¹ seconds (2, 4, 8, … by default).</summary>
    [ConfigurationKeyName("webhook_retry_base_seconds")]
    public double RetryBaseSeconds { get; set; } = 2;

    /// <summary>Terminal deliveries (success, dead) older than this are deleted hourly; 0 keeps them.</summary>
    [ConfigurationKeyName("webhook_delivery_retention_days")]
    public int DeliveryRetentionDays { get; set; } = 7;
}
