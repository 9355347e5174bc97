namespace Brokkr.Broker.Data;

/// <summary>
/// An admin's request for a snapshot of one deployment object's pods, events and logs, collected by one agent
/// (v1 <c>DiagnosticRequest</c>): pending → claimed → completed, or expired (never claimed) / failed (claimed, no
/// result) once <see cref="ExpiresAt"/> has passed.
/// </summary>
public sealed class DiagnosticRequest
{
    public const string Pending = "pending";
    public const string Claimed = "claimed";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Expired = "expired";

    public Guid Id { get; set; }
    public Guid AgentId { get; set; }
    public Guid DeploymentObjectId { get; set; }
    public string Status { get; set; } = Pending;
    public string? RequestedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ClaimedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
}

/// <summary>What the agent collected (v1 <c>DiagnosticResult</c>); the three payloads are JSON documents kept as text.</summary>
public sealed class DiagnosticResult
{
    public Guid Id { get; set; }
    public Guid RequestId { get; set; }
    public required string PodStatuses { get; set; }
    public required string Events { get; set; }
    public string? LogTails { get; set; }
    public DateTime CollectedAt { get; set; }
    public DateTime CreatedAt { get; set; }
}
