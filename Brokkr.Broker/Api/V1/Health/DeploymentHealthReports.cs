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
            if (!DeploymentHealth.Statuses.Contains(entry.Status))
            {
                throw ApiException.Unprocessable("invalid_health_record", "status must be one of healthy, degraded, failing, unknown");
            }
            if (entry.Summary is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
            {
                throw ApiException.Unprocessable("invalid_health_record", "summary must be a JSON object or null");
            }
        }

        var latest = entries.GroupBy(e => e.Id).Select(g => g.Last()).ToList();
        var ids = latest.Select(e => e.Id).ToArray();
        var statuses = latest.Select(e => e.Status).ToArray();
        var summaries = latest.Select(e => e.Summary is { ValueKind: JsonValueKind.Object } s ? s.GetRawText() : null).ToArray();
        var checkedAt = latest.Select(e => e.CheckedAt.UtcDateTime).ToArray();
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO deployment_health (id, agent_id, deployment_object_id, status, summary, checked_at)
            SELECT gen_random_uuid(), {agentId}, r.deployment_object_id, r.status, r.summary, r.checked_at
            FROM unnest({ids}, {statuses}, {summaries}, {checkedAt}) AS r (deployment_object_id, status, summary, checked_at)
            ON CONFLICT ON CONSTRAINT unique_agent_deployment_health DO UPDATE
            SET status = EXCLUDED.status, summary = EXCLUDED.summary, checked_at = EXCLUDED.checked_at
            """);
    }
}
