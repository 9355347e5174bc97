using System.Text.Json;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Health;

/// <summary>
/// Stores an agent's deployment-health verdicts, however they arrived: <c>PATCH /agents/{id}/health-status</c> or an
/// <c>agent_health</c> frame on the agent channel. Bad input is an <see cref="ApiException"/> (REST answers it as a
/// 4xx; the channel logs it and drops the frame).
/// </summary>
public static class DeploymentHealthReports
{
    /// <summary>
    /// Most entries one report may carry. One report holds a pooled connection while it is written, so it is bounded
    /// like a request body is; an agent with more applied objects sends several reports.
    /// </summary>
    public const int MaxEntriesPerReport = 1_000;

    /// <summary>
    /// All entries are validated first and upserted by one statement: a bad entry writes nothing, and the database is
    /// asked once however many entries there are. An object named twice keeps its last entry.
    /// </summary>
    public static async Task UpsertAsync(BrokkrDbContext db, Guid agentId, IReadOnlyList<DeploymentObjectHealthUpdate> entries)
    {
        if (entries.Count > MaxEntriesPerReport)
        {
            throw ApiException.BadRequest("too_many_health_records",
                $"a report holds at most {MaxEntriesPerReport} entries; send the rest in further reports");
        }
        foreach (var entry in entries)
        {
            Validate(entry);
        }
        await WriteAsync(db, [.. entries.Select(e => new AgentHealthUpdate(agentId, e))], skipUnknown: false);
    }

    /// <summary>Throws the 4xx a REST report with <paramref name="entry"/> would get; returns when it may be stored.</summary>
    public static void Validate(DeploymentObjectHealthUpdate entry)
    {
        if (!DeploymentHealth.Statuses.Contains(entry.Status))
        {
            throw ApiException.Unprocessable("invalid_health_record", "status must be one of healthy, degraded, failing, unknown");
        }
        if (entry.Summary is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            throw ApiException.Unprocessable("invalid_health_record", "summary must be a JSON object or null");
        }
    }

    /// <summary>
    /// Upserts validated entries of any number of agents in one statement, the last entry of an (agent, object) pair
    /// winning. With <paramref name="skipUnknown"/> entries naming an object or agent that no longer exists are left out
    /// instead of failing the statement — for batches that gather several agents' reports, where one stale entry must
    /// not cost the others.
    /// </summary>
    public static async Task WriteAsync(BrokkrDbContext db, IReadOnlyList<AgentHealthUpdate> updates, bool skipUnknown)
    {
        var latest = updates.GroupBy(u => (u.AgentId, u.Entry.Id)).Select(g => g.Last()).ToList();
        var agents = latest.Select(u => u.AgentId).ToArray();
        var ids = latest.Select(u => u.Entry.Id).ToArray();
        var statuses = latest.Select(u => u.Entry.Status).ToArray();
        var summaries = latest.Select(u => u.Entry.Summary is { ValueKind: JsonValueKind.Object } s ? s.GetRawText() : null).ToArray();
        var checkedAt = latest.Select(u => u.Entry.CheckedAt.UtcDateTime).ToArray();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO deployment_health (id, agent_id, deployment_object_id, status, summary, checked_at)
            SELECT gen_random_uuid(), r.agent_id, r.deployment_object_id, r.status, r.summary, r.checked_at
            FROM unnest({agents}, {ids}, {statuses}, {summaries}, {checkedAt}) AS r (agent_id, deployment_object_id, status, summary, checked_at)
            WHERE NOT {skipUnknown} OR (EXISTS (SELECT 1 FROM deployment_objects d WHERE d.id = r.deployment_object_id)
                                        AND EXISTS (SELECT 1 FROM agents a WHERE a.id = r.agent_id))
            ON CONFLICT ON CONSTRAINT unique_agent_deployment_health DO UPDATE
            SET status = EXCLUDED.status, summary = EXCLUDED.summary, checked_at = EXCLUDED.checked_at
            """);
    }
}

/// <summary>One agent's verdict on one deployment object.</summary>
public sealed record AgentHealthUpdate(Guid AgentId, DeploymentObjectHealthUpdate Entry);
