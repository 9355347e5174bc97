using System.Globalization;
using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Targeting;

/// <summary>
/// Spec §5, evaluated by PostgreSQL in one statement each (never load-then-filter):
/// S(A) = explicit targets ∪ label matches ∪ annotation matches, the latter two only for stacks whose generator A is
/// registered with; live stacks only. The desired object of a stack is its live DO with the greatest sequence_id.
/// </summary>
public static class TargetingQueries
{
    // The associated stack ids of agent {0}.
    private const string AssociatedStackIds = """
        SELECT t.stack_id FROM agent_targets t WHERE t.agent_id = {0}
        UNION
        SELECT sl.stack_id
        FROM agent_labels al
        JOIN stack_labels sl ON sl.label = al.label
        JOIN stacks s ON s.id = sl.stack_id
        JOIN agent_generator_registrations r ON r.agent_id = al.agent_id AND r.generator_id = s.generator_id
        WHERE al.agent_id = {0}
        UNION
        SELECT sa.stack_id
        FROM agent_annotations aa
        JOIN stack_annotations sa ON sa.key = aa.key AND sa.value = aa.value
        JOIN stacks s ON s.id = sa.stack_id
        JOIN agent_generator_registrations r ON r.agent_id = aa.agent_id AND r.generator_id = s.generator_id
        WHERE aa.agent_id = {0}
        """;

    // Both queries only feed responses: AsNoTracking spares every poll the change tracker's snapshot of each row.

    /// <summary>§5.1: live stacks associated with the agent, sorted by id.</summary>
    public static IQueryable<Stack> AssociatedStacks(BrokkrDbContext db, Guid agentId) =>
        db.Stacks.FromSqlRaw(
            $"SELECT s.* FROM stacks s WHERE s.deleted_at IS NULL AND s.id IN ({AssociatedStackIds})",
            agentId).AsNoTracking().OrderBy(s => s.Id);

    // §5.3's rows, {0} = agent id, {1} = full mode: the newest live DO of every associated stack, minus those the agent
    // has acknowledged (any live event) unless in full mode.
    private const string LatestObjects = $$"""
        FROM (
            SELECT DISTINCT ON (d.stack_id) d.*
            FROM deployment_objects d
            JOIN stacks s ON s.id = d.stack_id AND s.deleted_at IS NULL
            WHERE d.deleted_at IS NULL AND d.stack_id IN ({{AssociatedStackIds}})
            ORDER BY d.stack_id, d.sequence_id DESC
        ) latest
        WHERE {1} OR NOT EXISTS (
            SELECT 1 FROM agent_events e
            WHERE e.agent_id = {0} AND e.deployment_object_id = latest.id AND e.deleted_at IS NULL)
        """;

    /// <summary>
    /// §5.3: the newest live DO of every associated stack, newest first. Incremental mode drops objects the agent
    /// has already acknowledged (any live event); full mode keeps them, which is what lets the agent detect removed
    /// stacks by comparing against its applied set rather than diffing incremental lists.
    /// </summary>
    public static IQueryable<DeploymentObject> TargetState(BrokkrDbContext db, Guid agentId, bool full) =>
        db.DeploymentObjects.FromSqlRaw($"SELECT latest.* {LatestObjects}", agentId, full)
            .AsNoTracking().OrderByDescending(d => d.SequenceId);

    /// <summary>
    /// The (id, updated_at) of <see cref="TargetState"/>'s rows in its order — what its ETag is computed from — as
    /// plain SQL with <c>$1</c> = agent id and <c>$2</c> = full mode, for <see cref="Data.PollingCommands"/>.
    /// </summary>
    public static readonly string TargetStateStampsSql = string.Format(CultureInfo.InvariantCulture,
        $"SELECT latest.id, latest.updated_at {LatestObjects} ORDER BY latest.sequence_id DESC", "$1", "$2");
}
