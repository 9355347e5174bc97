using System.Text.Json.Serialization;

namespace Brokkr.Broker.Data;

// Stack templates (wire shapes StackTemplate, TemplateLabel, TemplateAnnotation of the contract). One row per version.

public sealed class StackTemplate
{
    public Guid Id { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
    /// <summary>The owning generator; null for a system template (the admin's, usable by every generator).</summary>
    public Guid? GeneratorId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public int Version { get; set; }
    public required string TemplateContent { get; set; }
    public required string ParametersSchema { get; set; }
    public required string Checksum { get; set; }
}

public sealed class TemplateLabel
{
    public Guid Id { get; set; }
    public Guid TemplateId { get; set; }
    public required string Label { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class TemplateAnnotation
{
    public Guid Id { get; set; }
    public Guid TemplateId { get; set; }
    public required string Key { get; set; }
    public required string Value { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>Which template version and parameters produced a deployment object (not part of any wire shape).</summary>
public sealed class RenderedDeploymentObject
{
    public Guid Id { get; set; }
    public Guid DeploymentObjectId { get; set; }
    public Guid TemplateId { get; set; }
    public int TemplateVersion { get; set; }
    [JsonIgnore] public required string TemplateParameters { get; set; }
    public DateTime CreatedAt { get; set; }
}
