using Brokkr.Broker.Metrics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Brokkr.Broker.Webhooks;

/// <summary>A claimed delivery with what is needed to send it (the secrets still encrypted).</summary>
public sealed record ClaimedDelivery(Guid Id, Guid SubscriptionId, string EventType, string Payload, int Attempts,
    byte[] UrlEncrypted, byte[]? AuthHeaderEncrypted, int TimeoutSeconds, int MaxRetries);

/// <summary>
/// The delivery queue's claims and results, in SQL. Claims take open rows with <c>FOR UPDATE SKIP LOCKED</c>, so
/// broker replicas and agents never claim the same row at once; a claim lasts the subscription's timeout plus
/// <c>webhook_claim_margin_seconds</c> (<see cref="WebhookLease"/>), after which an unreported row (its claimer died)
/// is open again. Delivery is at least once: a claimer that dies after the POST and before recording it leaves the
/// row to be sent again, with the same delivery id.
/// </summary>
public sealed class WebhookQueue(NpgsqlDataSource dataSource, DatabaseMetrics metrics, TimeProvider time, IOptions<WebhookOptions> options)
{
    private const string Claim = """
        WITH claimable AS (
            SELECT d.id FROM webhook_deliveries d
            JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.enabled
            WHERE d.status IN ('pending', 'failed', 'acquired')
              AND (d.status <> 'failed' OR d.next_retry_at <= now())
              AND (d.status <> 'acquired' OR d.acquired_until < now())
              AND {0}
            ORDER BY d.created_at
            LIMIT @limit
            FOR UPDATE OF d SKIP LOCKED)
        UPDATE webhook_deliveries d
        SET status = 'acquired', acquired_by = @agent,
            acquired_until = now() + make_interval(secs => s.timeout_seconds + @margin)
        FROM claimable c, webhook_subscriptions s
        WHERE d.id = c.id AND s.id = d.subscription_id
        RETURNING d.id, d.subscription_id, d.event_type, d.payload, d.attempts, s.url_encrypted, s.auth_header_encrypted,
            s.timeout_seconds, s.max_retries
        """;

    /// <summary>Deliveries for subscriptions without target labels: the broker sends those itself.</summary>
    public Task<List<ClaimedDelivery>> ClaimForBrokerAsync(int limit, CancellationToken cancellationToken) =>
        ClaimAsync(string.Format(Claim, "d.target_labels IS NULL"), null, limit, cancellationToken);

    /// <summary>Deliveries whose target labels the agent all carries.</summary>
    public Task<List<ClaimedDelivery>> ClaimForAgentAsync(Guid agentId, int limit, CancellationToken cancellationToken) =>
        ClaimAsync(string.Format(Claim,
            "d.target_labels IS NOT NULL AND d.target_labels <@ ARRAY(SELECT l.label::text FROM agent_labels l WHERE l.agent_id = @agent)"),
            agentId, limit, cancellationToken);

    private async Task<List<ClaimedDelivery>> ClaimAsync(string sql, Guid? agentId, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.Add(new NpgsqlParameter<Guid?>("agent", agentId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.AddWithValue("margin", (double)options.Value.ClaimMarginSeconds);
        await using var reader = await command.ExecuteReaderAsync(metrics, cancellationToken);
        var claimed = new List<ClaimedDelivery>();
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedDelivery(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
                reader.GetInt32(4), reader.GetFieldValue<byte[]>(5), reader.IsDBNull(6) ? null : reader.GetFieldValue<byte[]>(6),
                reader.GetInt32(7), reader.GetInt32(8)));
        }
        return claimed;
    }

    /// <summary>
    /// Records the attempt on a row still claimed (by <paramref name="agentId"/>, or by a broker when null) and returns
    /// its new status; null when the row is not claimed that way (unknown, finished, or claimed by someone else).
    /// </summary>
    /// <param name="terminal">The failure cannot be fixed by retrying (the secrets do not decrypt): dead-letter now.</param>
    public async Task<string?> RecordAsync(Guid id, Guid? agentId, bool success, int? statusCode, string? error, bool terminal,
        double retryBaseSeconds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        int attempts, maxRetries;
        await using (var select = new NpgsqlCommand("""
            SELECT d.attempts, s.max_retries FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
            WHERE d.id = @id AND d.status = 'acquired' AND d.acquired_by IS NOT DISTINCT FROM @agent
            FOR UPDATE OF d
            """, connection, transaction))
        {
            select.Parameters.AddWithValue("id", id);
            select.Parameters.Add(new NpgsqlParameter<Guid?>("agent", agentId) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
            await using var reader = await select.ExecuteReaderAsync(metrics, cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            (attempts, maxRetries) = (reader.GetInt32(0) + 1, reader.GetInt32(1));
        }
        var (status, nextRetryAt) = success ? ("success", (DateTime?)null)
            : terminal ? ("dead", null)
            : RetryPolicy.AfterFailure(statusCode, attempts, maxRetries, retryBaseSeconds, time.GetUtcNow().UtcDateTime);
        await using (var update = new NpgsqlCommand("""
            UPDATE webhook_deliveries
            SET attempts = @attempts, last_attempt_at = now(), status = @status, next_retry_at = @next, last_error = @error,
                acquired_until = NULL, completed_at = CASE WHEN @status IN ('success', 'dead') THEN now() END
            WHERE id = @id
            """, connection, transaction))
        {
            update.Parameters.AddWithValue("id", id);
            update.Parameters.AddWithValue("attempts", attempts);
            update.Parameters.AddWithValue("status", status);
            update.Parameters.Add(new NpgsqlParameter<DateTime?>("next", nextRetryAt) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
            update.Parameters.Add(new NpgsqlParameter<string?>("error", success ? null : error) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            await update.ExecuteNonQueryAsync(metrics, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return status;
    }

    /// <summary>Open deliveries (not yet success or dead) and the age of the oldest, for the queue gauges.</summary>
    public async Task<(long Depth, double OldestAgeSeconds)> StatsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8
            FROM webhook_deliveries WHERE status IN ('pending', 'failed', 'acquired')
            """);
        await using var reader = await command.ExecuteReaderAsync(metrics, cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetDouble(1));
    }

    /// <summary>Deletes finished deliveries older than the cutoff; returns how many.</summary>
    public async Task<int> PurgeAsync(DateTime cutoff, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "DELETE FROM webhook_deliveries WHERE status IN ('success', 'dead') AND created_at < @cutoff");
        command.Parameters.AddWithValue("cutoff", cutoff);
        return await command.ExecuteNonQueryAsync(metrics, cancellationToken);
    }
}
