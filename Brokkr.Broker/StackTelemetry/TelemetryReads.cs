using System.Text.Json;
using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.StackTelemetry;

/// <summary>
/// Reads of the telemetry tables in the contract's shapes, shared by the history endpoints (a stack's window, newest
/// first) and the live tail (one committed batch's rows for the stacks someone is watching).
/// </summary>
public static class TelemetryReads
{
    private const string EventColumns = """
        SELECT id AS "Id", agent_id AS "AgentId", stack_id AS "StackId", observed_at AS "ObservedAt", reason AS "Reason",
               message AS "Message", event_type AS "EventType", source AS "Source", involved_object::text AS "InvolvedObject",
               created_at AS "CreatedAt"
        FROM agent_k8s_events
        """;

    private const string LineColumns = """
        SELECT id AS "Id", agent_id AS "AgentId", stack_id AS "StackId", namespace AS "Namespace", pod AS "Pod",
               container AS "Container", ts AS "Ts", line AS "Line", created_at AS "CreatedAt"
        FROM agent_pod_logs
        """;

    // Rows of one batch share its created_at; among them the agent's own timestamp orders.
    private const string EventWindow = "WHERE stack_id = {0} AND created_at >= {1} ORDER BY created_at DESC, observed_at DESC, id DESC LIMIT {2}";
    private const string LineWindow = "WHERE stack_id = {0} AND created_at >= {1} ORDER BY created_at DESC, ts DESC, id DESC LIMIT {2}";

    // One committed batch, in the agents' order, for the live tail.
    private const string EventBatch = "WHERE created_at = {0} AND stack_id = ANY({1}) ORDER BY observed_at, id";
    private const string LineBatch = "WHERE created_at = {0} AND stack_id = ANY({1}) ORDER BY ts, id";

    public static async Task<List<AgentK8sEvent>> EventWindowAsync(BrokkrDbContext db, Guid stackId, DateTime since, int limit,
        CancellationToken cancellationToken) =>
        (await db.Database.SqlQueryRaw<EventRow>($"{EventColumns} {EventWindow}", stackId, since, limit).ToListAsync(cancellationToken))
            .ConvertAll(r => r.ToRecord());

    public static async Task<List<AgentPodLog>> LineWindowAsync(BrokkrDbContext db, Guid stackId, DateTime since, int limit,
        CancellationToken cancellationToken) =>
        (await db.Database.SqlQueryRaw<LineRow>($"{LineColumns} {LineWindow}", stackId, since, limit).ToListAsync(cancellationToken))
            .ConvertAll(r => r.ToRecord());

    public static async Task<List<AgentK8sEvent>> EventBatchAsync(BrokkrDbContext db, DateTime createdAt, Guid[] stacks,
        CancellationToken cancellationToken) =>
        (await db.Database.SqlQueryRaw<EventRow>($"{EventColumns} {EventBatch}", createdAt, stacks).ToListAsync(cancellationToken))
            .ConvertAll(r => r.ToRecord());

    public static async Task<List<AgentPodLog>> LineBatchAsync(BrokkrDbContext db, DateTime createdAt, Guid[] stacks,
        CancellationToken cancellationToken) =>
        (await db.Database.SqlQueryRaw<LineRow>($"{LineColumns} {LineBatch}", createdAt, stacks).ToListAsync(cancellationToken))
            .ConvertAll(r => r.ToRecord());

    /// <summary>The oldest row retained for the stack (the whole window, not just one page); null when there is none.</summary>
    public static async Task<DateTime?> OldestAsync(BrokkrDbContext db, string table, Guid stackId, DateTime floor, CancellationToken cancellationToken) =>
        await db.Database.SqlQueryRaw<DateTime?>(table == TelemetryMetrics.EventsTable ? OldestEvent : OldestLine, stackId, floor)
            .SingleAsync(cancellationToken);

    private const string OldestEvent = "SELECT min(created_at) AS \"Value\" FROM agent_k8s_events WHERE stack_id = {0} AND created_at >= {1}";
    private const string OldestLine = "SELECT min(created_at) AS \"Value\" FROM agent_pod_logs WHERE stack_id = {0} AND created_at >= {1}";

    private sealed class EventRow
    {
        public Guid Id { get; set; }
        public Guid AgentId { get; set; }
        public Guid StackId { get; set; }
        public DateTime ObservedAt { get; set; }
        public string Reason { get; set; } = "";
        public string Message { get; set; } = "";
        public string EventType { get; set; } = "";
        public string? Source { get; set; }
        public string InvolvedObject { get; set; } = "{}";
        public DateTime CreatedAt { get; set; }

        public AgentK8sEvent ToRecord()
        {
            using var involved = JsonDocument.Parse(InvolvedObject);
            return new AgentK8sEvent(Id, AgentId, StackId, ObservedAt, Reason, Message, EventType, Source, involved.RootElement.Clone(),
                CreatedAt);
        }
    }

    private sealed class LineRow
    {
        public Guid Id { get; set; }
        public Guid AgentId { get; set; }
        public Guid StackId { get; set; }
        public string Namespace { get; set; } = "";
        public string Pod { get; set; } = "";
        public string Container { get; set; } = "";
        public DateTime Ts { get; set; }
        public string Line { get; set; } = "";
        public DateTime CreatedAt { get; set; }

        public AgentPodLog ToRecord() => new(Id, AgentId, StackId, Namespace, Pod, Container, Ts, Line, CreatedAt);
    }
}
