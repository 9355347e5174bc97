using System.Text.Json.Serialization;

namespace Brokkr.Broker.Data;

// The entities double as the v1 wire shapes (snake_case via the JSON naming policy); hidden columns are
// [JsonIgnore]d. Every timestamp is timestamptz, read back as UTC DateTime.

public sealed class Generator
{
    public Guid Id { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    [JsonIgnore] public string? PakHash { get; set; }
    public DateTime? LastActiveAt { get; set; }
    public bool IsActive { get; set; } = true;
    public bool IsSystem { get; set; }
}

public sealed class Agent
{
    public Guid Id { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
    public required string Name { get; set; }
    public required string ClusterName { get; set; }
    [JsonIgnore] public string PakHash { get; set; } = "";
    public DateTime? LastHeartbeat { get; set; }
    public string Status { get; set; } = "INACTIVE";
    public bool? K8sReachable { get; set; }
    public int? K8sApiLatencyMs { get; set; }
    public DateTime? K8sReportedAt { get; set; }
}

public sealed class AgentLabel
{
    public Guid Id { get; set; }
    public Guid AgentId { get; set; }
    public required string Label { get; set; }
}

public sealed class AgentAnnotation
{
    public Guid Id { get; set; }
    public Guid AgentId { get; set; }
    public required string Key { get; set; }
    public required string Value { get; set; }
}

public sealed class AgentTarget
{
    public Guid Id { get; set; }
    public Guid AgentId { get; set; }
    public Guid StackId { get; set; }
}

public sealed class AgentGeneratorRegistration
{
    public Guid Id { get; set; }
    public Guid AgentId { get; set; }
    public Guid GeneratorId { get; set; }
    public DateTime RegisteredAt { get; set; }
}

public sealed class AgentEvent
{
    public Guid Id { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
    public Guid AgentId { get; set; }
    public Guid DeploymentObjectId { get; set; }
    public required string EventType { get; set; }
    public required string Status { get; set; }
    public string? Message { get; set; }
}

public sealed class Stack
{
    public Guid Id { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public Guid GeneratorId { get; set; }
}

public sealed class StackLabel
{
    public Guid Id { get; set; }
    public Guid StackId { get; set; }
    public required string Label { get; set; }
}

public sealed class StackAnnotation
{
    public Guid Id { get; set; }
    public Guid StackId { get; set; }
    public required string Key { get; set; }
    public required string Value { get; set; }
}

public sealed class DeploymentObject
{
    public Guid Id { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
    public long SequenceId { get; set; }
    public Guid StackId { get; set; }
    public required string YamlContent { get; set; }
    public required string YamlChecksum { get; set; }
    public DateTime SubmittedAt { get; set; }
    public bool IsDeletionMarker { get; set; }
}

public sealed class AdminRole
{
    public Guid Id { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public required string PakHash { get; set; }
}

public sealed class AppInitialization
{
    public int Id { get; set; }
    public DateTime InitializedAt { get; set; }
}
