namespace Brokkr.Broker.Data;

/// <summary>
/// A one-shot job in the queue (v1 <c>WorkOrder</c>). It lives here only while PENDING, CLAIMED or RETRY_PENDING;
/// completion moves it to <see cref="WorkOrderLog"/> in the same statement that deletes it.
/// </summary>
public sealed class WorkOrder
{
    public const string Pending = "PENDING";
    public const string Claimed = "CLAIMED";
    public const string RetryPending = "RETRY_PENDING";

    public Guid Id { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public required string WorkType { get; set; }
    public required string YamlContent { get; set; }
    public string Status { get; set; } = Pending;
    public Guid? ClaimedBy { get; set; }
    public DateTime? ClaimedAt { get; set; }
    public int ClaimTimeoutSeconds { get; set; }
    public int MaxRetries { get; set; }
    public int RetryCount { get; set; }
    public int BackoffSeconds { get; set; }
    public DateTime? NextRetryAfter { get; set; }
    public string? LastError { get; set; }
    public DateTime? LastErrorAt { get; set; }
}

/// <summary>The immutable record of a finished work order (v1 <c>WorkOrderLog</c>); <see cref="Id"/> is the order's own id.</summary>
public sealed class WorkOrderLog
{
    public Guid Id { get; set; }
    public required string WorkType { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ClaimedAt { get; set; }
    public DateTime CompletedAt { get; set; }
    public Guid? ClaimedBy { get; set; }
    public bool Success { get; set; }
    public int RetriesAttempted { get; set; }
    public string? ResultMessage { get; set; }
    public required string YamlContent { get; set; }
}

public sealed class WorkOrderTarget
{
    public Guid Id { get; set; }
    public Guid WorkOrderId { get; set; }
    public Guid AgentId { get; set; }
}

public sealed class WorkOrderLabel
{
    public Guid Id { get; set; }
    public Guid WorkOrderId { get; set; }
    public required string Label { get; set; }
}

public sealed class WorkOrderAnnotation
{
    public Guid Id { get; set; }
    public Guid WorkOrderId { get; set; }
    public required string Key { get; set; }
    public required string Value { get; set; }
}
