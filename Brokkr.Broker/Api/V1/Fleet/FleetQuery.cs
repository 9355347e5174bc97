using Brokkr.Broker.Data;
using Brokkr.Broker.Targeting;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Fleet;

/// <summary>
/// The fleet view in one statement: live agents joined to one grouped aggregate per signal (pending objects, health
/// counts, last event), so its cost grows with the fleet's rows, never with a query per agent.
/// </summary>
public static class FleetQuery
{
    // The agent channel is not part of this broker yet: it is reported as not connected until that feature lands.
    private const string Sql = $"""
        -- greatest() ignores NULLs, so the ages of agents without a heartbeat or event are kept NULL by CASE.
        SELECT a.id AS "AgentId", a.name AS "Name", a.cluster_name AS "ClusterName", a.status AS "Status",
               a.last_heartbeat AS "LastHeartbeat",
               CASE WHEN a.last_heartbeat IS NOT NULL
                    THEN greatest(0, floor(extract(epoch FROM now() - a.last_heartbeat)))::bigint END AS "HeartbeatAgeSeconds",
               coalesce(p.pending, 0) AS "PendingObjectCount",
               le.last_event_at AS "LastEventAt",
               CASE WHEN le.last_event_at IS NOT NULL
                    THEN greatest(0, floor(extract(epoch FROM now() - le.last_event_at)))::bigint END AS "SecondsSinceLastEvent",
               coalesce(h.failing, 0) AS "HealthFailing", coalesce(h.degraded, 0) AS "HealthDegraded",
               a.k8s_reachable AS "K8sReachable", a.k8s_api_latency_ms::bigint AS "K8sApiLatencyMs",
               coalesce(wp.pending, 0) AS "PendingWorkOrders", coalesce(wc.claimed, 0) AS "ClaimedWorkOrders"
        FROM agents a
        LEFT JOIN ({FleetTargeting.PendingCounts}) p ON p.agent_id = a.id
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
            SELECT agent_id, count(*) FILTER (WHERE status = 'failing') AS failing,
                   count(*) FILTER (WHERE status = 'degraded') AS degraded
            FROM deployment_health GROUP BY agent_id
        ) h ON h.agent_id = a.id
        LEFT JOIN (
            SELECT agent_id, max(created_at) AS last_event_at FROM agent_events WHERE deleted_at IS NULL GROUP BY agent_id
        ) le ON le.agent_id = a.id
        WHERE a.deleted_at IS NULL
          AND ({"{0}"}::uuid IS NULL OR a.id = {"{0}"})
          AND ({"{1}"}::uuid IS NULL OR EXISTS (
              SELECT 1 FROM agent_generator_registrations r WHERE r.agent_id = a.id AND r.generator_id = {"{1}"}))
        ORDER BY a.cluster_name, a.name, a.id
        """;

    /// <summary>Every live agent's record, or only the one with <paramref name="agentId"/>, or only agents registered with <paramref name="generatorId"/>.</summary>
    public static async Task<List<FleetAgentRecord>> LoadAsync(BrokkrDbContext db, Guid? agentId, Guid? generatorId, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQueryRaw<FleetRow>(Sql, Parameter(agentId), Parameter(generatorId)).ToListAsync(cancellationToken);
        return rows.ConvertAll(r => new FleetAgentRecord(r.AgentId, r.Name, r.ClusterName, r.Status, WsConnected: false, ConnectedSince: null,
            r.LastHeartbeat, r.HeartbeatAgeSeconds, r.PendingObjectCount, r.PendingWorkOrders, r.ClaimedWorkOrders, r.LastEventAt,
            r.SecondsSinceLastEvent, r.HealthFailing, r.HealthDegraded, r.K8sReachable, r.K8sApiLatencyMs));
    }

    private static Npgsql.NpgsqlParameter Parameter(Guid? value) =>
        new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid, Value = value is { } v ? v : DBNull.Value };

    private sealed class FleetRow
    {
        public Guid AgentId { get; set; }
        public string Name { get; set; } = "";
        public string ClusterName { get; set; } = "";
        public string Status { get; set; } = "";
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
