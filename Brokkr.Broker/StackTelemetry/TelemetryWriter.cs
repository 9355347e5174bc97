using Brokkr.Broker.Metrics;
using System.Text.Json;
using Brokkr.Wire;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Brokkr.Broker.StackTelemetry;

/// <summary>
/// Drains <see cref="TelemetryQueue"/>: whatever is queued, up to <c>telemetry_batch_size</c> frames, in one
/// transaction — the frames' (agent, stack) pairs checked with <see cref="StackReporters"/>, events and log lines
/// written with binary COPY, and one <see cref="TelemetryNotice"/> per chunk of stacks for the live tails, which
/// PostgreSQL delivers to every replica at commit. A batch the database refuses is dropped and counted
/// (<c>write_failed</c>), not retried: a retry loop would let an outage fill the queue and stall every later frame.
/// </summary>
public sealed partial class TelemetryWriter(TelemetryQueue queue, StackReporters reporters, TelemetryMetrics metrics,
    NpgsqlDataSource dataSource, DatabaseMetrics database, IOptions<TelemetryOptions> options, ILogger<TelemetryWriter> log)
    : Startup.QueueDrain<QueuedTelemetry>(queue.Reader, queue.Complete)
{
    protected override int BatchSize => options.Value.BatchSize;

    protected override async Task WriteAsync(List<QueuedTelemetry> batch, CancellationToken cancellationToken)
    {
        try
        {
            var allowed = await reporters.AllowedAsync([.. batch.Select(f => (f.AgentId, StackOf(f.Message))).Distinct()], cancellationToken);
            var kept = batch.Where(f => allowed.Contains((f.AgentId, StackOf(f.Message)))).ToList();
            if (kept.Count < batch.Count)
            {
                metrics.Dropped(TelemetryDropReason.NotAssociated, batch.Count - kept.Count);
            }
            if (kept.Count > 0)
            {
                await StoreAsync(kept, cancellationToken);
            }
        }
        catch (Exception e)
        {
            // Whatever failed, the writer goes on with the next batch: an exception here would stop the host.
            metrics.Dropped(TelemetryDropReason.WriteFailed, batch.Count);
            LogLost(log, batch.Count, e.Message);
        }
    }

    private async Task StoreAsync(List<QueuedTelemetry> frames, CancellationToken cancellationToken)
    {
        var events = frames.Where(f => f.Message is K8sEventMessage).ToList();
        var lines = frames.Where(f => f.Message is PodLogLineMessage).ToList();
        var gaps = frames.Select(f => f.Message).OfType<LogGapMessage>().Select(g => g.Body).ToList();

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // now() is the transaction's timestamp: every row of the batch shares it, and the notice names it.
        DateTime createdAt;
        await using (var now = new NpgsqlCommand("SELECT now()", connection, transaction))
        {
            createdAt = (DateTime)(await now.ExecuteScalarAsync(database, cancellationToken))!;
        }
        if (events.Count > 0)
        {
            await CopyAsync(connection, EventCopy, events, createdAt, cancellationToken);
        }
        if (lines.Count > 0)
        {
            await CopyAsync(connection, LineCopy, lines, createdAt, cancellationToken);
        }
        var stacks = events.Concat(lines).Select(f => StackOf(f.Message)).Distinct();
        foreach (var payload in TelemetryNotice.For(createdAt, stacks, gaps))
        {
            await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection, transaction);
            notify.Parameters.AddWithValue("channel", TelemetryNotice.Channel);
            notify.Parameters.AddWithValue("payload", payload);
            await notify.ExecuteNonQueryAsync(database, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        metrics.Written(TelemetryMetrics.EventsTable, events.Count);
        metrics.Written(TelemetryMetrics.LogsTable, lines.Count);
    }

    private const string EventCopy =
        "COPY agent_k8s_events (id, agent_id, stack_id, observed_at, reason, message, event_type, source, involved_object, created_at) FROM STDIN (FORMAT BINARY)";

    private const string LineCopy =
        "COPY agent_pod_logs (id, agent_id, stack_id, namespace, pod, container, ts, line, created_at) FROM STDIN (FORMAT BINARY)";

    /// <summary>The columns between <c>stack_id</c> and <c>created_at</c> of a frame's row, as (value, type) pairs.</summary>
    private static (object? Value, NpgsqlDbType Type)[] Columns(WsMessage message) => message switch
    {
        K8sEventMessage { Body: var e } =>
        [
            (Utc(e.ObservedAt), NpgsqlDbType.TimestampTz), (e.Reason, NpgsqlDbType.Text), (e.Message, NpgsqlDbType.Text),
            (e.EventType, NpgsqlDbType.Text), (e.Source, NpgsqlDbType.Text),
            (JsonSerializer.Serialize(e.InvolvedObject, WsCodec.Options), NpgsqlDbType.Jsonb),
        ],
        PodLogLineMessage { Body: var l } =>
        [
            (l.Namespace, NpgsqlDbType.Text), (l.Pod, NpgsqlDbType.Text), (l.Container, NpgsqlDbType.Text),
            (Utc(l.Ts), NpgsqlDbType.TimestampTz), (l.Line, NpgsqlDbType.Text),
        ],
        _ => throw new ArgumentException("not a stored telemetry frame", nameof(message)),
    };

    /// <summary>One COPY of <paramref name="frames"/>, counted and timed as one database command.</summary>
    private Task<ulong> CopyAsync(NpgsqlConnection connection, string copy, List<QueuedTelemetry> frames, DateTime createdAt,
        CancellationToken cancellationToken) =>
        database.MeasureAsync(copy, (connection, copy, frames, createdAt, cancellationToken),
            static s => ImportAsync(s.connection, s.copy, s.frames, s.createdAt, s.cancellationToken));

    /// <returns>The rows written.</returns>
    private static async Task<ulong> ImportAsync(NpgsqlConnection connection, string copy, List<QueuedTelemetry> frames, DateTime createdAt,
        CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(copy, cancellationToken);
        foreach (var frame in frames)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, cancellationToken);
            await importer.WriteAsync(frame.AgentId, NpgsqlDbType.Uuid, cancellationToken);
            await importer.WriteAsync(StackOf(frame.Message), NpgsqlDbType.Uuid, cancellationToken);
            foreach (var (value, type) in Columns(frame.Message))
            {
                await importer.WriteAsync(value, type, cancellationToken);
            }
            await importer.WriteAsync(createdAt, NpgsqlDbType.TimestampTz, cancellationToken);
        }
        return await importer.CompleteAsync(cancellationToken);
    }

    public static Guid StackOf(WsMessage message) => message switch
    {
        K8sEventMessage m => m.Body.StackId,
        PodLogLineMessage m => m.Body.StackId,
        LogGapMessage m => m.Body.StackId,
        _ => Guid.Empty,
    };

    // An agent's timestamp without an offset is taken as UTC (timestamptz needs one).
    private static DateTime Utc(DateTime at) => at.Kind switch
    {
        DateTimeKind.Utc => at,
        DateTimeKind.Local => at.ToUniversalTime(),
        _ => DateTime.SpecifyKind(at, DateTimeKind.Utc),
    };

    [LoggerMessage(LogLevel.Error, "Lost {Count} telemetry frames: the database refused their batch ({Error})")]
    private static partial void LogLost(ILogger logger, int count, string error);
}
