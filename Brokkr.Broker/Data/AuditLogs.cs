namespace Brokkr.Broker.Data;

/// <summary>
/// One immutable audit record (v1 <c>AuditLog</c>): who (actor), did what (action), to what (resource), when and from
/// where. Written only by the audit writer and deleted only by retention; never a PAK or any part of one.
/// </summary>
public sealed class AuditLog
{
    public const string Admin = "admin";
    public const string Agent = "agent";
    public const string Generator = "generator";
    public const string System = "system";

    public static readonly string[] ActorTypes = [Admin, Agent, Generator, System];

    public Guid Id { get; set; }
    public DateTime Timestamp { get; set; }
    public required string ActorType { get; set; }
    public Guid? ActorId { get; set; }
    public required string Action { get; set; }
    public required string ResourceType { get; set; }
    public Guid? ResourceId { get; set; }

    /// <summary>JSON text (a <c>jsonb</c> column).</summary>
    public string? Details { get; set; }

    public string? IpAddress { get; set; }
    public string? UserAgent { get; set; }
    public DateTime CreatedAt { get; set; }
}
