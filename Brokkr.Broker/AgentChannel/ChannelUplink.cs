using System.Text.Json;
using Brokkr.Broker.Api.V1.Agents;
using Brokkr.Broker.Api.V1.Health;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Metrics;
using Brokkr.Wire;

namespace Brokkr.Broker.AgentChannel;

/// <summary>
/// Applies the agent's control uplink frames — <c>heartbeat</c>, <c>agent_event</c>, <c>agent_health</c> — through the
/// very code the REST endpoints use (<see cref="AgentHeartbeats"/>, <see cref="AgentEventRecorder"/>,
/// <see cref="DeploymentHealthReports"/>; health verdicts are validated here and written in batches by
/// <see cref="ChannelHealthWriter"/>). A frame is always applied as the connection's own agent: one whose body names
/// another agent is dropped, so an agent cannot act as another. A frame the REST endpoint would refuse (4xx) is logged
/// and dropped; the socket stays open, as upstream keeps it.
/// </summary>
public sealed partial class ChannelUplink(IServiceScopeFactory scopes, ChannelHealthWriter healthWriter, ChannelMetrics metrics,
    TimeProvider time, ILogger<ChannelUplink> log)
{
    /// <summary>True when <paramref name="message"/> is a control uplink frame (handled here, whatever the outcome).</summary>
    public async Task<bool> TryHandleAsync(Guid agentId, WsMessage message)
    {
        Guid? named = message switch
        {
            HeartbeatMessage m => m.Body.AgentId,
            AgentEventMessage m => m.Body.AgentId,
            AgentHealthMessage m => m.Body.AgentId,
            _ => null,
        };
        if (named is null)
        {
            return false;
        }
        if (named != agentId)
        {
            LogForeign(log, agentId, message.Type);
            return true;
        }
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        try
        {
            switch (message)
            {
                case HeartbeatMessage { Body: var heartbeat }:
                    await AgentHeartbeats.RecordAsync(services.GetRequiredService<PollingCommands>(), agentId,
                        heartbeat.K8sReachable is { } reachable ? (reachable, heartbeat.K8sApiLatencyMs) : null,
                        services.GetRequiredService<BusinessMetrics>(), services.GetRequiredService<FleetGauges>(), time);
                    break;
                case AgentEventMessage { Body: var e }:
                    await AgentEventRecorder.RecordAsync(services.GetRequiredService<BrokkrDbContext>(), agentId,
                        new NewAgentEvent(e.AgentId, e.DeploymentObjectId, e.EventType, e.Status, e.Message),
                        services.GetRequiredService<BusinessMetrics>());
                    break;
                case AgentHealthMessage { Body: var h }:
                    var verdict = new DeploymentObjectHealthUpdate(h.DeploymentObjectId, h.Status, AsUtc(h.CheckedAt), SummaryOf(h.Summary));
                    DeploymentHealthReports.Validate(verdict);
                    if (!healthWriter.TryQueue(new AgentHealthUpdate(agentId, verdict)))
                    {
                        await DeploymentHealthReports.UpsertAsync(services.GetRequiredService<BrokkrDbContext>(), agentId, [verdict]);
                    }
                    break;
            }
        }
        catch (ApiException e)
        {
            LogRefused(log, agentId, message.Type, e.Code, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database is down: the frame is lost like a failed REST call would be; heartbeats come again next tick,
            // an unrecorded event leaves its object in the agent's incremental target state, so it is applied again.
            metrics.Dropped(DropReason.WriteFailed);
            LogFailed(log, agentId, message.Type, e.Message);
        }
        return true;
    }

    /// <summary>The wire carries the health summary as JSON text; REST as a JSON object.</summary>
    private static JsonElement? SummaryOf(string? summary)
    {
        if (string.IsNullOrEmpty(summary))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(summary);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw ApiException.Unprocessable("invalid_health_record", "summary must be a JSON object or null");
        }
    }

    private static DateTimeOffset AsUtc(DateTime value) =>
        new(value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc));

    [LoggerMessage(LogLevel.Warning, "Dropped a channel {Type} frame on agent {AgentId}'s connection that names another agent")]
    private static partial void LogForeign(ILogger logger, Guid agentId, string type);

    [LoggerMessage(LogLevel.Warning, "Dropped agent {AgentId}'s channel {Type} frame: {Code}: {Reason}")]
    private static partial void LogRefused(ILogger logger, Guid agentId, string type, string code, string reason);

    [LoggerMessage(LogLevel.Warning, "Could not apply agent {AgentId}'s channel {Type} frame: {Error}")]
    private static partial void LogFailed(ILogger logger, Guid agentId, string type, string error);
}
