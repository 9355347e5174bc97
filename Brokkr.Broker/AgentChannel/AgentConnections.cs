using System.Collections.Concurrent;
using System.Net.WebSockets;
using Brokkr.Wire;

namespace Brokkr.Broker.AgentChannel;

/// <summary>
/// This replica's open agent channels, one per agent: a reconnecting agent's new socket replaces (and closes) its old
/// one. Other replicas hold their own; a change reaches every replica through <see cref="ChangeFanOut"/>.
/// </summary>
public sealed class AgentConnections(ChannelMetrics metrics)
{
    private readonly ConcurrentDictionary<Guid, AgentConnection> _open = new();

    public int Count => _open.Count;

    /// <summary>An agent's channel opened here (also when it replaced an older one of the same agent).</summary>
    public event Action<AgentConnection>? Opened;

    /// <summary>An agent's channel closed here and no newer one of the same agent replaced it.</summary>
    public event Action<AgentConnection>? Closed;

    public IReadOnlyCollection<Guid> AgentIds => [.. _open.Keys];

    public IReadOnlyList<AgentConnection> Snapshot() => [.. _open.Values.OrderBy(c => c.ConnectedSince)];

    public void Register(AgentConnection connection)
    {
        AgentConnection? replaced = null;
        _open.AddOrUpdate(connection.AgentId, connection, (_, old) =>
        {
            replaced = old;
            return connection;
        });
        replaced?.Close(WebSocketCloseStatus.PolicyViolation, "replaced by a newer connection of the same agent");
        Opened?.Invoke(connection);
    }

    /// <summary>Removes the connection unless a newer one for the same agent has replaced it already.</summary>
    public void Unregister(AgentConnection connection)
    {
        if (_open.TryRemove(new KeyValuePair<Guid, AgentConnection>(connection.AgentId, connection)))
        {
            Closed?.Invoke(connection);
        }
        connection.Close(WebSocketCloseStatus.NormalClosure, "closing");
    }

    /// <summary>
    /// Closes the sockets opened with a PAK that has just been revoked (<see cref="Authentication.PakRevocations"/>):
    /// authentication is checked at upgrade only, so without this a rotated or deleted agent's open socket would live on.
    /// </summary>
    public void CloseRevoked(string? pakHash)
    {
        if (string.IsNullOrEmpty(pakHash))
        {
            return;
        }
        foreach (var connection in _open.Values)
        {
            if (connection.PakHash == pakHash)
            {
                connection.Close(AgentConnection.PakRevokedStatus, "agent PAK revoked (rotated, or the agent deleted)");
            }
        }
    }

    /// <summary>Pushes a frame to the agent if it is connected here; never waits. False when it was not queued.</summary>
    public bool Send(Guid agentId, WsMessage message)
    {
        if (!_open.TryGetValue(agentId, out var connection))
        {
            return false; // not connected to this replica: its polling (or another replica) covers it
        }
        if (connection.TryEnqueue(message) is { } reason)
        {
            metrics.Dropped(reason);
            return false;
        }
        return true;
    }
}
