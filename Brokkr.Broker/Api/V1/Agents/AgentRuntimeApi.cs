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
    /// One narrow prepared statement reads the answer's (id, updated_at) rows, which determine it (<see cref="TargetStateTag"/>):
    /// a request whose If-None-Match matches their tag gets 304 without more; any other gets the objects' JSON from
    /// <see cref="DeploymentObjectJson"/>, which reads from the database only objects it has not serialised yet. If an
    /// object changed between the two reads, the answer comes from one fresh read of the objects and carries the tag
    /// of exactly those rows, so a tag never describes another state than the body it came with.
    /// </summary>
    private static async Task<Results<JsonArrayResult, Ok<List<DeploymentObject>>, StatusCodeHttpResult>> TargetState(Guid id,
        string? mode, Caller caller, BrokkrDbContext db, PollingCommands commands, DeploymentObjectJson json, HttpContext http)
    {
        caller.RequireAdminOrAgentSelf(id);
        var full = string.Equals(mode, "full", StringComparison.Ordinal);
        var rows = await commands.TargetStateStampsAsync(id, full);
        var tag = TargetStateTag.Of(full, rows);
        if (TargetStateTag.Matches(http.Request.Headers.IfNoneMatch, tag))
        {
            http.Response.Headers.ETag = tag.ToString();
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        if (await json.ResolveAsync(rows, db) is { } elements)
        {
            http.Response.Headers.ETag = tag.ToString();
            return new JsonArrayResult(elements);
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
        var agentEvent = await AgentEventRecorder.RecordAsync(db, id, body.Value, metrics);
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
