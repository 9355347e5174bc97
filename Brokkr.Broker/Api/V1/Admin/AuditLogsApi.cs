using System.Text.Json;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Admin;

/// <summary>An audit record with its actor's current name (upstream's AuditLogEntry: AuditLog plus actor_name).</summary>
public sealed record AuditLogEntry(
    Guid Id, DateTime Timestamp, string ActorType, Guid? ActorId, string Action, string ResourceType, Guid? ResourceId,
    JsonElement? Details, string? IpAddress, string? UserAgent, DateTime CreatedAt, string? ActorName);

public sealed record AuditLogListResponse(List<AuditLogEntry> Logs, long Total, int Count, long Limit, long Offset);

/// <summary>The audit trail for admins, newest first, with the contract's filters and offset paging.</summary>
public static class AuditLogsApi
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    public static RouteGroupBuilder MapAuditLogsApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/audit-logs", List);
        return admin;
    }

    private static async Task<Ok<AuditLogListResponse>> List(
        Caller caller, BrokkrDbContext db, CancellationToken cancellationToken,
        [FromQuery(Name = "actor_type")] string? actorType, [FromQuery(Name = "actor_id")] Guid? actorId,
        string? action, [FromQuery(Name = "resource_type")] string? resourceType, [FromQuery(Name = "resource_id")] Guid? resourceId,
        [FromQuery(Name = "from")] DateTimeOffset? since, [FromQuery(Name = "to")] DateTimeOffset? until, long? limit, long? offset)
    {
        caller.RequireAdmin();
        if (actorType is not null && !AuditLog.ActorTypes.Contains(actorType))
        {
            throw ApiException.BadRequest("invalid_query", "actor_type must be one of admin, agent, generator, system");
        }
        if (limit is < 1 || offset is < 0)
        {
            throw ApiException.BadRequest("invalid_query", "limit must be at least 1 and offset at least 0");
        }
        var take = (int)Math.Min(limit ?? DefaultLimit, MaxLimit);
        var skip = offset ?? 0;

        var logs = db.AuditLogs.AsNoTracking();
        if (actorType is not null) logs = logs.Where(l => l.ActorType == actorType);
        if (actorId is not null) logs = logs.Where(l => l.ActorId == actorId);
        if (resourceType is not null) logs = logs.Where(l => l.ResourceType == resourceType);
        if (resourceId is not null) logs = logs.Where(l => l.ResourceId == resourceId);
        if (since is { } from) logs = logs.Where(l => l.Timestamp >= from.UtcDateTime);
        if (until is { } to) logs = logs.Where(l => l.Timestamp < to.UtcDateTime);
        if (action is { Length: > 0 })
        {
            // "agent.*" matches every action starting with "agent."; anything else matches exactly.
            logs = action.EndsWith('*') ? logs.Where(l => l.Action.StartsWith(action.Substring(0, action.Length - 1))) : logs.Where(l => l.Action == action);
        }

        var total = await logs.LongCountAsync(cancellationToken);
        var page = await logs.OrderByDescending(l => l.Timestamp).ThenByDescending(l => l.Id).Skip((int)Math.Min(skip, int.MaxValue)).Take(take)
            .Select(l => new
            {
                Log = l,
                AgentName = db.Agents.Where(a => a.Id == l.ActorId && a.DeletedAt == null).Select(a => a.Name).FirstOrDefault(),
                GeneratorName = db.Generators.Where(g => g.Id == l.ActorId && g.DeletedAt == null).Select(g => g.Name).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);

        var entries = page.ConvertAll(p => new AuditLogEntry(p.Log.Id, p.Log.Timestamp, p.Log.ActorType, p.Log.ActorId, p.Log.Action,
            p.Log.ResourceType, p.Log.ResourceId, p.Log.Details is { } d ? JsonDocument.Parse(d).RootElement.Clone() : null,
            p.Log.IpAddress, p.Log.UserAgent, p.Log.CreatedAt,
            p.Log.ActorType switch
            {
                AuditLog.Agent => p.AgentName,
                AuditLog.Generator => p.GeneratorName,
                var other => other,
            }));
        return TypedResults.Ok(new AuditLogListResponse(entries, total, entries.Count, take, skip));
    }
}
