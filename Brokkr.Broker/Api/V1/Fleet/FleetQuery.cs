using Brokkr.Broker.Data;
using Brokkr.Broker.Targeting;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Fleet;

/// <summary>
/// The fleet view in one statement: live agents joined to one grouped aggregate per signal, so its cost grows with
/// the fleet's rows, never with a query per agent — and, through the indexes of the FleetViewIndexes migration, not
/// with the history of events either: an agent's newest event is one index probe, the health counts read only the
/// unhealthy rows, and the pending count's anti-join reads only the acknowledgements of each stack's newest object.
/// </summary>
public static class FleetQuery
{
    /// <summary>The statement, its parameters as <c>{0}</c> (agent id) and <c>{1}</c> (generator id); public for the benchmark's EXPLAIN.</summary>
    public const string Statement = $"""
        -- greatest() ignores NULLs, so the ages of agents without a heartbeat or event are kept NULL by CASE.
        SELECT a.id AS "AgentId", a.name AS "Name", a.cluster_name AS "ClusterName", a.status AS "Status",
               ch.connected_since IS NOT NULL AS "WsConnected", ch.connected_since AS "ConnectedSince",
               a.last_heartbeat AS "LastHeartbeat",
               CASE WHEN a.last_heartbeat IS NOT NULL
                    THEN greatest(0, floor(extract(epoch FROM now() - a.last_heartbeat)))::bigint END AS "HeartbeatAgeSeconds",
               coalesce(p.pending, 0) AS "PendingObjectCount",
               le.created_at AS "LastEventAt",
               CASE WHEN le.created_at IS NOT NULL
                    THEN greatest(0, floor(extract(epoch FROM now() - le.created_at)))::bigint END AS "SecondsSinceLastEvent",
               coalesce(h.failing, 0) AS "HealthFailing", coalesce(h.degraded, 0) AS "HealthDegraded",
               a.k8s_reachable AS "K8sReachable", a.k8s_api_latency_ms::bigint AS "K8sApiLatencyMs",
               coalesce(wp.pending, 0) AS "PendingWorkOrders", coalesce(wc.claimed, 0) AS "ClaimedWorkOrders"
        FROM agents a
        LEFT JOIN ({PendingCounts}) p ON p.agent_id = a.id
        LEFT JOIN (
            -- Waiting orders targeted at the agent by id, by a shared label or by an annotation (key and value); UNION
            -- counts an order matching several ways once.
            SELECT m.agent_id, count(*) AS pending FROM (
                SELECT t.agent_id, w.id FROM work_orders w JOIN work_order_targets t ON t.work_order_id = w.id
                WHERE w.status IN ('PENDING', 'RETRY_PENDING')
                UNION
                SELECT al.agent_id, w.id FROM work_orders w JOIN work_order_labels l ON l.work_order_id = w.id
                    JOIN agent_labels al ON al.label = l.label
                WHERE w.status IN ('PENDING', 'RETRY_PENDING')
                UNION
                SELECT aa.agent_id, w.id FROM work_orders w JOIN work_order_annotations n ON n.work_order_id = w.id
                    JOIN agent_annotations aa ON aa.key = n.key AND aa.value = n.value
                WHERE w.status IN ('PENDING', 'RETRY_PENDING')
            ) m GROUP BY m.agent_id
        ) wp ON wp.agent_id = a.id
        LEFT JOIN (
            SELECT claimed_by AS agent_id, count(*) AS claimed FROM work_orders WHERE status = 'CLAIMED' GROUP BY claimed_by
        ) wc ON wc.agent_id = a.id
        LEFT JOIN (
            -- Healthy and unknown rows are most of the table and count for nothing here: the partial index skips them.
            SELECT agent_id, count(*) FILTER (WHERE status = 'failing') AS failing,
                   count(*) FILTER (WHERE status = 'degraded') AS degraded
            FROM deployment_health WHERE status IN ('failing', 'degraded') GROUP BY agent_id
        ) h ON h.agent_id = a.id
        LEFT JOIN (
            -- A channel counts while the replica holding it keeps its lease (a dead replica's rows stop counting).
            SELECT pr.agent_id, max(pr.connected_at) AS connected_since
            FROM agent_channel_presence pr JOIN broker_replicas r ON r.id = pr.replica_id AND r.expires_at > now()
            GROUP BY pr.agent_id
        ) ch ON ch.agent_id = a.id
        LEFT JOIN LATERAL (
            SELECT e.created_at FROM agent_events e WHERE e.agent_id = a.id AND e.deleted_at IS NULL
            ORDER BY e.created_at DESC LIMIT 1
        ) le ON true
        WHERE a.deleted_at IS NULL
          AND ({"{0}"}::uuid IS NULL OR a.id = {"{0}"})
          AND ({"{1}"}::uuid IS NULL OR EXISTS (
              SELECT 1 FROM agent_generator_registrations r WHERE r.agent_id = a.id AND r.generator_id = {"{1}"}))
        ORDER BY a.cluster_name, a.name, a.id
        """;

    /// <summary>
    /// (agent_id, pending) for agents with at least one pending object: the newest live object of an associated live
    /// stack that the agent has not reported an event for — exactly what its incremental target-state would return.
    /// An anti-join against the acknowledgements of those newest objects alone, found through
    /// <c>agent_events_object_agent</c>: a NOT EXISTS per association would hash every event ever reported.
    /// </summary>
    private const string PendingCounts = $"""
        WITH latest AS MATERIALIZED (
            SELECT DISTINCT ON (d.stack_id) d.stack_id, d.id
            FROM deployment_objects d
            JOIN stacks s ON s.id = d.stack_id AND s.deleted_at IS NULL
            WHERE d.deleted_at IS NULL
            ORDER BY d.stack_id, d.sequence_id DESC
        )
        SELECT assoc.agent_id, count(*) AS pending
        FROM ({FleetTargeting.Associations}) assoc
        JOIN latest ON latest.stack_id = assoc.stack_id
        LEFT JOIN (
            SELECT e.agent_id, e.deployment_object_id FROM agent_events e
            WHERE e.deleted_at IS NULL AND e.deployment_object_id IN (SELECT id FROM latest)
        ) acked ON acked.agent_id = assoc.agent_id AND acked.deployment_object_id = latest.id
        WHERE acked.agent_id IS NULL
        GROUP BY assoc.agent_id
        """;

    /// <summary>Every live agent's record, or only the one with <paramref name="agentId"/>, or only agents registered with <paramref name="generatorId"/>.</summary>
    public static Task<List<FleetAgentRecord>> LoadAsync(BrokkrDbContext db, Guid? agentId, Guid? generatorId, CancellationToken cancellationToken) =>
        StreamAsync(db, agentId, generatorId, cancellationToken).ToListAsync(cancellationToken).AsTask();

    /// <summary>
    /// The records as the database returns them, for the response to serialise while later rows are still arriving
    /// (10,000 records are some 4 MiB of JSON: no list of them all is built first).
    /// </summary>
    public static async IAsyncEnumerable<FleetAgentRecord> StreamAsync(BrokkrDbContext db, Guid? agentId, Guid? generatorId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = db.Database.SqlQueryRaw<FleetRow>(Statement, Parameter(agentId), Parameter(generatorId)).AsAsyncEnumerable();
        await foreach (var r in rows.WithCancellation(cancellationToken))
        {
            yield return new FleetAgentRecord(r.AgentId, r.Name, r.ClusterName, r.Status, r.WsConnected, r.ConnectedSince,
                r.LastHeartbeat, r.HeartbeatAgeSeconds, r.PendingObjectCount, r.PendingWorkOrders, r.ClaimedWorkOrders, r.LastEventAt,
                r.SecondsSinceLastEvent, r.HealthFailing, r.HealthDegraded, r.K8sReachable, r.K8sApiLatencyMs);
        }
    }

    private static Npgsql.NpgsqlParameter Parameter(Guid? value) =>
        new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid, Value = value is { } v ? v : DBNull.Value };

    private sealed class FleetRow
    {
        public Guid AgentId { get; set; }
        public string Name { get; set; } = "";
        public string ClusterName { get; set; } = "";
        public string Status { get; set; } = "";
        public bool WsConnected { get; set; }
        public DateTime? ConnectedSince { get; set; }
        public DateTime? LastHeartbeat { get; set; }
        public long? HeartbeatAgeSeconds { get; set; }
        public long PendingObjectCount { get; set; }
        public DateTime? LastEventAt { get; set; }
        public long? SecondsSinceLastEvent { get; set; }
        public long HealthFailing { get; set; }
        public long HealthDegraded { get; set; }
        public bool? K8sReachable { get; set; }
        public long? K8sApiLatencyMs { get; set; }
        public long PendingWorkOrders { get; set; }
        public long ClaimedWorkOrders { get; set; }
    }
}
