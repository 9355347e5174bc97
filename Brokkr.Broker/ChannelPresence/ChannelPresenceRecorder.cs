using Brokkr.Broker.Metrics;
using System.Collections.Concurrent;
using Brokkr.Broker.AgentChannel;
using Brokkr.Broker.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Brokkr.Broker.ChannelPresence;

/// <summary>
/// Records in PostgreSQL which agents hold a WebSocket channel on this replica, so the fleet view (read on any
/// replica) can say whether an agent is connected anywhere. This process is one <c>broker_replicas</c> row whose
/// lease it renews every third of <c>channel_presence_lease_seconds</c>; its channels are <c>agent_channel_presence</c>
/// rows under it, written as they open and close (bursts coalesce: the latest state per agent is written, one batch
/// at a time). The fleet view counts a row only while its replica's lease holds, so a replica killed outright stops
/// counting within one lease, and every replica's renewal deletes replicas whose lease has run out (and, by the
/// cascade, their rows). A failed write is retried by rewriting this replica's whole set from its registry, as is a
/// replica whose row was swept while it could not reach the database.
/// </summary>
public sealed partial class ChannelPresenceRecorder : BackgroundService
{
    private readonly AgentConnections _connections;
    private readonly NpgsqlDataSource _database;
    private readonly DatabaseMetrics _metrics;
    private readonly IOptionsMonitor<BrokerOptions> _options;
    private readonly ILogger<ChannelPresenceRecorder> _logger;
    // agent → connected since, or null once its channel here closed; the latest state wins.
    private readonly ConcurrentDictionary<Guid, DateTime?> _changes = new();
    private readonly SemaphoreSlim _changed = new(0, 1);
    private bool _resync = true;
    private bool _failing;

    public ChannelPresenceRecorder(AgentConnections connections, NpgsqlDataSource database, DatabaseMetrics metrics, ReplicaIdentity replica,
        IOptionsMonitor<BrokerOptions> options, ILogger<ChannelPresenceRecorder> logger)
    {
        ReplicaId = replica.Id;
        _connections = connections;
        _database = database;
        _metrics = metrics;
        _options = options;
        _logger = logger;
        connections.Opened += c => Changed(c.AgentId, c.ConnectedSince);
        connections.Closed += c => Changed(c.AgentId, null);
    }

    /// <summary>This process's row in <c>broker_replicas</c>.</summary>
    public Guid ReplicaId { get; }

    private TimeSpan Lease => TimeSpan.FromSeconds(Math.Max(3, _options.CurrentValue.ChannelPresenceLeaseSeconds));

    private void Changed(Guid agentId, DateTime? connectedSince)
    {
        _changes[agentId] = connectedSince;
        if (_changed.CurrentCount == 0)
        {
            try
            {
                _changed.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another change signalled first: one pending signal covers both.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WriteAsync(stoppingToken);
                if (_failing)
                {
                    LogRecovered(_logger);
                    _failing = false;
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                _resync = true; // what was taken from _changes is lost: the registry's snapshot replaces it
                if (!_failing)
                {
                    LogFailed(_logger, e.Message);
                    _failing = true;
                }
            }
            try
            {
                await _changed.WaitAsync(Lease / 3, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // A clean shutdown withdraws at once rather than after a lease; the channels close with the process.
        try
        {
            await using var command = _database.CreateCommand("DELETE FROM broker_replicas WHERE id = $1");
            command.Parameters.Add(new NpgsqlParameter { Value = ReplicaId });
            await command.ExecuteNonQueryAsync(_metrics, cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            LogFailed(_logger, e.Message); // its lease runs out instead
        }
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Renew (or, first time and after a sweep, create) this replica's lease, and sweep replicas whose lease ran out.
        await using (var renew = new NpgsqlCommand("""
            INSERT INTO broker_replicas (id, expires_at) VALUES ($1, now() + $2)
            ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at
            RETURNING xmax = 0
            """, connection, transaction))
        {
            renew.Parameters.Add(new NpgsqlParameter { Value = ReplicaId });
            renew.Parameters.Add(new NpgsqlParameter { Value = Lease });
            if (await renew.ExecuteScalarAsync(_metrics, cancellationToken) is true)
            {
                _resync = true; // a new row has no presence rows: write the whole set
            }
        }
        await using (var sweep = new NpgsqlCommand(
            // SKIP LOCKED: a replica renewing its own expired row at this moment is alive, and two sweeping replicas
            // never wait on each other.
            "DELETE FROM broker_replicas WHERE id IN (SELECT id FROM broker_replicas WHERE expires_at < now() FOR UPDATE SKIP LOCKED)", connection, transaction))
        {
            await sweep.ExecuteNonQueryAsync(_metrics, cancellationToken);
        }
        if (_resync)
        {
            _changes.Clear(); // the snapshot, taken after, is newer than anything cleared
            var open = _connections.Snapshot();
            await ReplaceAsync(connection, transaction, open.Select(c => c.AgentId).ToArray(), open.Select(c => c.ConnectedSince).ToArray(),
                cancellationToken);
        }
        else
        {
            var changes = Take();
            var opened = changes.Where(c => c.Value is not null).ToArray();
            var closed = changes.Where(c => c.Value is null).Select(c => c.Key).ToArray();
            await UpsertAsync(connection, transaction, opened.Select(c => c.Key).ToArray(), opened.Select(c => c.Value!.Value).ToArray(),
                cancellationToken);
            if (closed.Length > 0)
            {
                await DeleteAsync(connection, transaction, "agent_id = ANY($2)", closed, cancellationToken);
            }
        }
        await transaction.CommitAsync(cancellationToken);
        _resync = false;
    }

    private List<KeyValuePair<Guid, DateTime?>> Take()
    {
        var taken = new List<KeyValuePair<Guid, DateTime?>>();
        foreach (var agentId in _changes.Keys)
        {
            if (_changes.TryRemove(agentId, out var state))
            {
                taken.Add(new(agentId, state));
            }
        }
        return taken;
    }

    private async Task ReplaceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] agents, DateTime[] since,
        CancellationToken cancellationToken)
    {
        await DeleteAsync(connection, transaction, "NOT (agent_id = ANY($2))", agents, cancellationToken); // all but these
        await UpsertAsync(connection, transaction, agents, since, cancellationToken);
    }

    private async Task UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] agents, DateTime[] since,
        CancellationToken cancellationToken)
    {
        if (agents.Length == 0)
        {
            return;
        }
        // An agent deleted meanwhile has no row to refer to: the join skips it instead of failing the batch.
        await using var upsert = new NpgsqlCommand("""
            INSERT INTO agent_channel_presence (agent_id, replica_id, connected_at)
            SELECT o.agent_id, $1, o.connected_at FROM unnest($2::uuid[], $3::timestamptz[]) AS o(agent_id, connected_at)
            JOIN agents a ON a.id = o.agent_id
            ON CONFLICT (agent_id, replica_id) DO UPDATE SET connected_at = excluded.connected_at
            """, connection, transaction);
        upsert.Parameters.Add(new NpgsqlParameter { Value = ReplicaId });
        upsert.Parameters.Add(new NpgsqlParameter { Value = agents, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        upsert.Parameters.Add(new NpgsqlParameter
        {
            Value = since.Select(s => DateTime.SpecifyKind(s, DateTimeKind.Utc)).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
        });
        await upsert.ExecuteNonQueryAsync(_metrics, cancellationToken);
    }

    private async Task DeleteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string which, Guid[] agents,
        CancellationToken cancellationToken)
    {
        await using var delete = new NpgsqlCommand($"DELETE FROM agent_channel_presence WHERE replica_id = $1 AND {which}", connection, transaction);
        delete.Parameters.Add(new NpgsqlParameter { Value = ReplicaId });
        delete.Parameters.Add(new NpgsqlParameter { Value = agents, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        await delete.ExecuteNonQueryAsync(_metrics, cancellationToken);
    }

    [LoggerMessage(LogLevel.Warning, "Could not record this replica's agent channels in the database ({Reason}); the fleet view may show them stale until it can")]
    private static partial void LogFailed(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Information, "Recording this replica's agent channels in the database again")]
    private static partial void LogRecovered(ILogger logger);
}
