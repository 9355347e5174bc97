using System.Text.Json;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;

namespace Brokkr.Broker.Api.V1.Diagnostics;

// The v1 bodies, named as the contract names their schemas.

/// <summary>POST /deployment-objects/{id}/diagnostics.</summary>
public sealed record CreateDiagnosticRequest(Guid AgentId, string? RequestedBy = null, long? RetentionMinutes = null)
{
    public const int DefaultRetentionMinutes = 60;
    public const int MaxRetentionMinutes = 1440;

    public Guid ValidAgentId() => AgentId == Guid.Empty
        ? throw ApiException.BadRequest("invalid_diagnostic_request", "agent_id must not be the nil UUID")
        : AgentId;

    /// <summary>The request's lifetime; 400 <c>invalid_diagnostic_request</c> outside 1–1440 minutes.</summary>
    public int ValidRetentionMinutes()
    {
        var minutes = RetentionMinutes ?? DefaultRetentionMinutes;
        if (minutes is < 1 or > MaxRetentionMinutes)
        {
            throw ApiException.BadRequest("invalid_diagnostic_request", $"retention_minutes must be between 1 and {MaxRetentionMinutes}");
        }
        return (int)minutes;
    }

    public string? ValidRequestedBy() =>
        RequestedBy is null ? null : Validation.Name(RequestedBy, "invalid_diagnostic_request", "requested_by");
}

/// <summary>POST /diagnostics/{id}/result: each payload is a JSON document encoded as a string.</summary>
public sealed record SubmitDiagnosticResult(string PodStatuses, string Events, DateTimeOffset CollectedAt, string? LogTails = null)
{
    /// <summary>400 <c>invalid_diagnostic_result</c> unless every payload present is a JSON document.</summary>
    public void Validate()
    {
        RequireJson(PodStatuses, "pod_statuses");
        RequireJson(Events, "events");
        if (LogTails is not null)
        {
            RequireJson(LogTails, "log_tails");
        }
    }

    // Parsing also keeps out NUL and other raw control characters, which PostgreSQL text refuses.
    private static void RequireJson(string value, string field)
    {
        try
        {
            using var _ = JsonDocument.Parse(value);
        }
        catch (JsonException)
        {
            throw ApiException.BadRequest("invalid_diagnostic_result", $"{field} must be a JSON document encoded as a string");
        }
    }
}

/// <summary>GET /diagnostics/{id}: the request and, once an agent has submitted it, its result (else null).</summary>
public sealed record DiagnosticResponse(DiagnosticRequest Request, DiagnosticResult? Result);
