using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Metrics;

namespace Brokkr.Broker.Api.V1.Agents;

/// <summary>
/// Validates and stores an agent's deployment event, however it arrived: <c>POST /agents/{id}/events</c> or an
/// <c>agent_event</c> frame on the agent channel. Bad input is an <see cref="ApiException"/> (REST answers it as a 4xx;
/// the channel logs it and drops the frame).
/// </summary>
public static class AgentEventRecorder
{
    /// <summary>
    /// Longest event message stored: room for the longest Kubernetes Status message an agent relays (ours send at most
    /// 4,000 characters), not for megabytes in every event row.
    /// </summary>
    public const int MaxEventMessageLength = 16_384;

    public static async Task<AgentEvent> RecordAsync(BrokkrDbContext db, Guid agentId, NewAgentEvent input, BusinessMetrics metrics)
    {
        Validation.SameId(input.AgentId, agentId, "agent_id_mismatch", "agent_id");
        var eventType = Validation.Name(input.EventType, "invalid_agent_event", "event_type", maxLength: 50);
        var status = input.Status.Trim().ToUpperInvariant();
        if (!BusinessMetrics.EventStatuses.Contains(status))
        {
            throw ApiException.BadRequest("invalid_agent_event", "status must be SUCCESS or FAILURE");
        }
        if (input.Message is { Length: > MaxEventMessageLength })
        {
            throw ApiException.BadRequest("invalid_agent_event", $"message is longer than {MaxEventMessageLength} characters");
        }
        var agentEvent = new AgentEvent
        {
            Id = Guid.CreateVersion7(),
            AgentId = agentId,
            DeploymentObjectId = input.DeploymentObjectId,
            EventType = eventType,
            Status = status,
            Message = input.Message,
        };
        db.AgentEvents.Add(agentEvent);
        await db.SaveChangesAsync();
        metrics.AgentEvent(status);
        return agentEvent;
    }
}
