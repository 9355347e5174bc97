namespace Brokkr.Cli.Connection;

// The parts of the REST API v1 types (docs/reference/brokkr-v1.openapi.json) the CLI reads; JSON is snake_case.

public sealed record AuthIdentity(bool Admin, Guid? Agent, Guid? Generator);

public sealed record Stack(Guid Id, string Name, Guid GeneratorId);

public sealed record DeploymentObject(Guid Id, Guid StackId, long SequenceId, string YamlChecksum, bool IsDeletionMarker);

public sealed record Registration(Guid Id, Guid AgentId, Guid GeneratorId, DateTime RegisteredAt);

public sealed record ErrorEnvelope(string? Code, string? Message);
