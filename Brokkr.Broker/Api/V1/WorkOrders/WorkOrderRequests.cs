namespace Brokkr.Broker.Api.V1.WorkOrders;

// The v1 request bodies, named as the contract names their schemas.

public sealed record WorkOrderTargeting(List<Guid>? AgentIds = null, List<string>? Labels = null, Dictionary<string, string>? Annotations = null);

/// <summary><see cref="TargetAgentIds"/> is the older spelling of <c>targeting.agent_ids</c>; both are honoured.</summary>
public sealed record CreateWorkOrderRequest(
    string WorkType,
    string YamlContent,
    int? MaxRetries = null,
    int? BackoffSeconds = null,
    int? ClaimTimeoutSeconds = null,
    List<Guid>? TargetAgentIds = null,
    WorkOrderTargeting? Targeting = null);

public sealed record ClaimWorkOrderRequest(Guid AgentId);

/// <summary><see cref="Retryable"/> defaults to true: only the agent knows a failure is permanent, and says so.</summary>
public sealed record CompleteWorkOrderRequest(bool Success, string? Message = null, bool Retryable = true);

/// <summary>The 202 answer to a retryable failure with retries left (upstream's shape, outside the OpenAPI contract).</summary>
public sealed record RetryScheduled(string Status = "retry_scheduled");
