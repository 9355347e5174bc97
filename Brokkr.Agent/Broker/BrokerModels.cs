namespace Brokkr.Agent.Broker;

/// <summary>The members of the broker's Agent the agent reads (snake_case on the wire).</summary>
public sealed record AgentRecord(Guid Id, string Name, string ClusterName, string Status)
{
    /// <summary>Only an ACTIVE agent reconciles; others just heartbeat (brokkr-core.md §7.2).</summary>
    public bool IsActive => Status == "ACTIVE";
}

/// <summary>One entry of the target state: a stack's desired revision.</summary>
public sealed record DeploymentObjectRecord(Guid Id, Guid StackId, long SequenceId, string YamlContent,
    string YamlChecksum, bool IsDeletionMarker);

/// <summary>POST /auth/pak: who the PAK belongs to.</summary>
public sealed record PakIdentity(bool Admin, Guid? Agent, Guid? Generator);

public sealed record HeartbeatReport(bool K8sReachable, int? K8sApiLatencyMs);

/// <summary>An event as GET /agents/{id}/events lists it (newest first).</summary>
public sealed record AgentEventRecord(Guid DeploymentObjectId, string EventType, string Status, string? Message, DateTimeOffset CreatedAt);

public sealed record AgentEventReport(Guid AgentId, Guid DeploymentObjectId, string EventType, string Status, string? Message)
{
    public const string Deploy = "DEPLOY";
    public const string Success = "SUCCESS";
    public const string Failure = "FAILURE";
}

/// <summary>One entry of PATCH /agents/{id}/health-status.</summary>
public sealed record DeploymentObjectHealthReport(Guid Id, string Status,
    DeploymentHealth.HealthSummary Summary, DateTimeOffset CheckedAt);

/// <summary>The members of the broker's WorkOrder the agent reads.</summary>
public sealed record WorkOrderRecord(Guid Id, string WorkType, string YamlContent, string Status, int ClaimTimeoutSeconds,
    int RetryCount, int MaxRetries);

/// <summary>POST /work-orders/{id}/complete: <paramref name="Retryable"/> false when trying again cannot help.</summary>
public sealed record WorkOrderCompletion(bool Success, string? Message, bool Retryable);
/// <summary>A webhook delivery this agent claimed: it sends it from inside its cluster and reports the result.</summary>
public sealed record PendingWebhook(Guid Id, Guid SubscriptionId, string EventType, string Payload, string Url, string? AuthHeader,
    int TimeoutSeconds, int MaxRetries, int Attempts);

public sealed record WebhookResultReport(bool Success, int? StatusCode, string? Error, long? DurationMs);

/// <summary>The members of the broker's DiagnosticRequest the agent reads.</summary>
public sealed record DiagnosticRequestRecord(Guid Id, Guid AgentId, Guid DeploymentObjectId, string Status, DateTimeOffset ExpiresAt);

/// <summary>POST /diagnostics/{id}/result: each payload a JSON document as a string.</summary>
public sealed record DiagnosticResultReport(string PodStatuses, string Events, string? LogTails, DateTimeOffset CollectedAt);
