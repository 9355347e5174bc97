using System.Text.Json;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Brokkr.Broker.Metrics;
using Brokkr.Broker.Targeting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Agents;

/// <summary>The optional heartbeat body, for the OpenAPI document; the handler reads it leniently itself.</summary>
public sealed record HeartbeatReport(bool? K8sReachable = null, int? K8sApiLatencyMs = null);

public sealed record NewAgentEvent(Guid AgentId, Guid DeploymentObjectId, string EventType, string Status, string? Message = null);

/// <summary>What the agent calls while running (spec §4.5): heartbeat, target state, events, registrations.</summary>
public static class AgentRuntimeApi
{
    private static readonly string[] EventStatuses = ["SUCCESS", "FAILURE"];

    /// <summary>
    /// Longest event message stored: room for the longest Kubernetes Status message an agent relays (ours send at most
    /// 4,000 characters), not for megabytes in every event row.
    /// </summary>
    public const int MaxEventMessageLength = 16_384;

    public static RouteGroupBuilder MapAgentRuntimeApi(this RouteGroupBuilder agents)
    {
        agents.MapPost("/{id}/heartbeat", Heartbeat).WithMetadata(new JsonBodyMetadata(typeof(HeartbeatReport), IsOptional: true));
        // 304 is beyond the contract: only a client that sent If-None-Match can get it (docs/api.md).
        agents.MapGet("/{id}/target-state", TargetState).Produces(StatusCodes.Status304NotModified);
        agents.MapGet("/{id}/stacks", Stacks);
        agents.MapGet("/{id}/events", ListEvents);
        agents.MapPost("/{id}/events", AddEvent);
        agents.MapGet("/{id}/registrations", Registrations);
        return agents;
    }

    /// <summary>
    /// Self-agent only. The optional body reports Kubernetes reachability; a missing or unreadable body is "no report",
    /// never an error, so an old agent's heartbeat always lands.
    /// </summary>
    private static async Task<NoContent> Heartbeat(Guid id, Caller caller, HttpRequest request, PollingCommands commands,
        BusinessMetrics metrics, FleetGauges fleet, TimeProvider time)
    {
        if (!caller.IsAgentSelf(id))
        {
            throw ApiException.Forbidden("agent_pak_mismatch", "only the agent itself may send its heartbeat");
        }
        await AgentHeartbeats.RecordAsync(commands, id, await ReadHeartbeatReportAsync(request), metrics, fleet, time);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Conditional polling: the answer carries an ETag (<see cref="TargetStateTag"/>). A request whose If-None-Match
    /// matches costs one narrow prepared statement (ids and stamps, no YAML, no EF) and gets 304; without the header
    /// it is one query, as ever. The tag sent with a 200 is computed from the very rows in that body, so it can never
    /// describe a newer or older state than the one the client got.
    /// </summary>
    private static async Task<Results<Ok<List<DeploymentObject>>, StatusCodeHttpResult>> TargetState(Guid id, string? mode,
        Caller caller, PollingDbContext db, PollingCommands commands, HttpContext http)
    {
        caller.RequireAdminOrAgentSelf(id);
        var full = string.Equals(mode, "full", StringComparison.Ordinal);
        var ifNoneMatch = http.Request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            var current = TargetStateTag.Of(full, await commands.TargetStateStampsAsync(id, full));
            if (TargetStateTag.Matches(ifNoneMatch, current))
            {
                http.Response.Headers.ETag = current.ToString();
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
            }
        }
        var objects = await TargetingQueries.TargetState(db, id, full).ToListAsync();
        http.Response.Headers.ETag = TargetStateTag.Of(full, objects.Select(d => new TargetStateRow(d.Id, d.UpdatedAt))).ToString();
        return TypedResults.Ok(objects);
    }

    private static async Task<Ok<List<Stack>>> Stacks(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdminOrAgentSelf(id);
        return TypedResults.Ok(await TargetingQueries.AssociatedStacks(db, id).ToListAsync());
    }

    private static async Task<Ok<List<AgentEvent>>> ListEvents(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdminOrAgentSelf(id);
        return TypedResults.Ok(await db.AgentEvents.Where(e => e.AgentId == id && e.DeletedAt == null)
            .OrderByDescending(e => e.CreatedAt).ThenBy(e => e.Id).ToListAsync());
    }

    private static async Task<Created<AgentEvent>> AddEvent(Guid id, Caller caller, Json<NewAgentEvent> body, BrokkrDbContext db,
        BusinessMetrics metrics)
    {
        caller.RequireAdminOrAgentSelf(id);
        var input = body.Value;
        Validation.SameId(input.AgentId, id, "agent_id_mismatch", "agent_id");
        var eventType = Validation.Name(input.EventType, "invalid_agent_event", "event_type", maxLength: 50);
        var status = input.Status.Trim().ToUpperInvariant();
        if (!EventStatuses.Contains(status))
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
            AgentId = id,
            DeploymentObjectId = input.DeploymentObjectId,
            EventType = eventType,
            Status = status,
            Message = input.Message,
        };
        db.AgentEvents.Add(agentEvent);
        await db.SaveChangesAsync();
        metrics.AgentEvent(status);
        return TypedResults.Created($"/api/v1/agent-events/{agentEvent.Id}", agentEvent);
    }

    private static async Task<Ok<List<AgentGeneratorRegistration>>> Registrations(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdminOrAgentSelf(id);
        await db.AgentAsync(id);
        return TypedResults.Ok(await db.AgentGeneratorRegistrations.Where(r => r.AgentId == id)
            .OrderBy(r => r.RegisteredAt).ThenBy(r => r.Id).ToListAsync());
    }

    private static async Task<(bool Reachable, int? LatencyMs)?> ReadHeartbeatReportAsync(HttpRequest request)
    {
        try
        {
            var bytes = await RequestBody.ReadBytesAsync(request);
            if (bytes.Length == 0)
            {
                return null;
            }
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("k8s_reachable", out var reachable) ||
                reachable.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return null;
            }
            int? latency = root.TryGetProperty("k8s_api_latency_ms", out var l) && l.ValueKind == JsonValueKind.Number && l.TryGetInt32(out var ms) ? ms : null;
            return (reachable.GetBoolean(), latency);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
