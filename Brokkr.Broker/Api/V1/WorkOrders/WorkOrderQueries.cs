using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.WorkOrders;

/// <summary>
/// Which work orders an agent may take, decided by PostgreSQL in the statement that reads or claims them (never
/// load-then-filter, so a concurrent claim cannot slip between the check and the write).
/// </summary>
public static class WorkOrderQueries
{
    // Ready to be claimed: waiting, or waiting for a retry whose backoff has run out (the maintenance task also flips
    // those back to PENDING, but a claim does not have to wait for its next tick).
    private const string Claimable = "(w.status = 'PENDING' OR (w.status = 'RETRY_PENDING' AND w.next_retry_after <= now()))";

    // Agent {0} is targeted by id, by any one label, or by any one annotation (OR across all three, as upstream).
    private const string TargetsAgent = """
        EXISTS (SELECT 1 FROM agents a WHERE a.id = {0} AND a.deleted_at IS NULL) AND (
            EXISTS (SELECT 1 FROM work_order_targets t WHERE t.work_order_id = w.id AND t.agent_id = {0})
            OR EXISTS (SELECT 1 FROM work_order_labels l JOIN agent_labels al ON al.label = l.label
                       WHERE l.work_order_id = w.id AND al.agent_id = {0})
            OR EXISTS (SELECT 1 FROM work_order_annotations n JOIN agent_annotations aa ON aa.key = n.key AND aa.value = n.value
                       WHERE n.work_order_id = w.id AND aa.agent_id = {0}))
        """;

    // The same rule for each candidate c.id of a set, rather than one parameter: built from the constant above only.
    private static readonly string TargetsCandidate = TargetsAgent.Replace("{0}", "c.id", StringComparison.Ordinal);

    /// <summary>The orders the agent could claim right now, oldest first.</summary>
    public static IQueryable<WorkOrder> ClaimableBy(BrokkrDbContext db, Guid agentId) =>
        db.WorkOrders.FromSqlRaw($"SELECT w.* FROM work_orders w WHERE {Claimable} AND {TargetsAgent}", agentId)
            .AsNoTracking().OrderBy(w => w.CreatedAt).ThenBy(w => w.Id);

    /// <summary>Whether the order, whatever its state, is targeted at the agent.</summary>
    public static Task<bool> TargetsAsync(BrokkrDbContext db, Guid workOrderId, Guid agentId) =>
        db.WorkOrders.FromSqlRaw($"SELECT w.* FROM work_orders w WHERE w.id = {{1}} AND {TargetsAgent}", agentId, workOrderId)
            .AnyAsync();

    /// <summary>
    /// Which of <paramref name="agentIds"/> the order targets, in one query however many there are (the agent
    /// channel's fan-out asks this for every agent connected to a replica).
    /// </summary>
#pragma warning disable EF1002 // TargetsCandidate is constant SQL; the ids are parameters
    public static Task<List<Guid>> TargetedAmongAsync(BrokkrDbContext db, Guid workOrderId, Guid[] agentIds,
        CancellationToken cancellationToken) =>
        db.Database.SqlQueryRaw<Guid>(
                $"SELECT c.id AS \"Value\" FROM work_orders w, unnest({{1}}::uuid[]) AS c (id) WHERE w.id = {{0}} AND {TargetsCandidate}",
                workOrderId, agentIds)
            .ToListAsync(cancellationToken);
#pragma warning restore EF1002

    /// <summary>
    /// Claims the order for the agent in one UPDATE: of concurrent claims, the first takes the row lock and the others
    /// re-check the WHERE clause after it commits, find the order CLAIMED, and update nothing. Null when not claimed.
    /// </summary>
    public static async Task<WorkOrder?> TryClaimAsync(BrokkrDbContext db, Guid workOrderId, Guid agentId) =>
        (await db.WorkOrders.FromSqlRaw($$"""
            UPDATE work_orders w SET status = 'CLAIMED', claimed_by = {0}, claimed_at = now(), next_retry_after = NULL
            WHERE w.id = {1} AND {{Claimable}} AND {{TargetsAgent}}
            RETURNING w.*
            """, agentId, workOrderId).AsNoTracking().ToListAsync()).SingleOrDefault();

    /// <summary>Moves the order into the log and out of the queue in one statement; null when it is already gone.</summary>
    public static async Task<WorkOrderLog?> ArchiveAsync(BrokkrDbContext db, Guid workOrderId, bool success, string? message) =>
        (await db.WorkOrderLog.FromSql($"""
            WITH done AS (DELETE FROM work_orders WHERE id = {workOrderId} RETURNING *)
            INSERT INTO work_order_log (id, work_type, created_at, claimed_at, completed_at, claimed_by, success,
                                        retries_attempted, result_message, yaml_content)
            SELECT id, work_type, created_at, claimed_at, now(), claimed_by, {success}, retry_count, {message}::text, yaml_content
            FROM done
            RETURNING *
            """).AsNoTracking().ToListAsync()).SingleOrDefault();
}
