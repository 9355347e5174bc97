namespace Brokkr.Broker.Data;

/// <summary>
/// A webhook subscription row. Never serialized: the URL and auth header exist here only as AES-256-GCM ciphertext
/// (<see cref="Webhooks.WebhookCipher"/>); the wire shape is <c>WebhookResponse</c>.
/// </summary>
public sealed class WebhookSubscription
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required byte[] UrlEncrypted { get; set; }
    public byte[]? AuthHeaderEncrypted { get; set; }
    public required string[] EventTypes { get; set; }
    /// <summary>JSON (<c>jsonb</c>) with at most <c>agent_id</c> and <c>stack_id</c>, evaluated in SQL at emission time.</summary>
    public string? Filters { get; set; }
    public string[]? TargetLabels { get; set; }
    public bool Enabled { get; set; } = true;
    public int MaxRetries { get; set; } = 5;
    public int TimeoutSeconds { get; set; } = 30;
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? CreatedBy { get; set; }
}

/// <summary>One event queued for one subscription; doubles as the contract's <c>WebhookDelivery</c> wire shape.</summary>
public sealed class WebhookDelivery
{
    public static readonly string[] Statuses = ["pending", "acquired", "success", "failed", "dead"];

    public Guid Id { get; set; }
    public Guid SubscriptionId { get; set; }
    public required string EventType { get; set; }
    public Guid EventId { get; set; }
    public required string Payload { get; set; }
    public string[]? TargetLabels { get; set; }
    public required string Status { get; set; }
    public Guid? AcquiredBy { get; set; }
    public DateTime? AcquiredUntil { get; set; }
    public int Attempts { get; set; }
    public DateTime? LastAttemptAt { get; set; }
    public DateTime? NextRetryAt { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}
