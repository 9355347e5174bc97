namespace Brokkr.Broker.Data;

/// <summary>
/// One agent's latest health verdict on one deployment object (spec §1.10), upserted on every report.
/// <see cref="Summary"/> is JSON text, served as a string exactly as upstream does.
/// </summary>
public sealed class DeploymentHealth
{
    public static readonly string[] Statuses = ["healthy", "degraded", "failing", "unknown"];

    public Guid Id { get; set; }
    public Guid AgentId { get; set; }
    public Guid DeploymentObjectId { get; set; }
    public required string Status { get; set; }
    public string? Summary { get; set; }
    public DateTime CheckedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
