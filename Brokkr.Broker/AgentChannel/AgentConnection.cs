using System.Net.WebSockets;
using System.Threading.Channels;
using Brokkr.Wire;

namespace Brokkr.Broker.AgentChannel;

/// <summary>
/// One agent's open channel as the rest of the broker sees it: a bounded send queue drained by the connection's own
/// writer, so a push never waits on a slow socket — when the queue is at its bound the push is refused instead.
/// </summary>
public sealed class AgentConnection
{
    public const int SendQueueCapacity = 64;

    private readonly Channel<WsMessage> _queue = System.Threading.Channels.Channel.CreateBounded<WsMessage>(
        new BoundedChannelOptions(SendQueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _closing = new();
    private (WebSocketCloseStatus Status, string Description)? _closeReason;
    private long _messagesIn;
    private long _messagesOut;

    /// <summary>
    /// Close code for a socket whose PAK was revoked (rotated, or the agent deleted): an application code (4000–4999),
    /// so an agent can tell it from a broker restart (1001) or a replaced connection (1008).
    /// </summary>
    public const WebSocketCloseStatus PakRevokedStatus = (WebSocketCloseStatus)4001;

    public AgentConnection(Guid agentId, string? pakHash, DateTime connectedSince)
    {
        AgentId = agentId;
        PakHash = pakHash;
        ConnectedSince = connectedSince;
    }

    public Guid AgentId { get; }

    /// <summary>The stored hash of the PAK the agent connected with (never the PAK), to close the socket when it is revoked.</summary>
    internal string? PakHash { get; }
    public DateTime ConnectedSince { get; }
    public long MessagesIn => Interlocked.Read(ref _messagesIn);
    public long MessagesOut => Interlocked.Read(ref _messagesOut);

    /// <summary>Cancelled when the broker ends this connection (replaced by a newer one, PAK revoked, or shutting down).</summary>
    public CancellationToken Closing => _closing.Token;

    internal ChannelReader<WsMessage> Outgoing => _queue.Reader;

    /// <summary>Queues a frame without waiting; null on success, else the <see cref="DropReason"/>.</summary>
    public string? TryEnqueue(WsMessage message)
    {
        if (_queue.Writer.TryWrite(message))
        {
            return null;
        }
        return _closing.IsCancellationRequested ? DropReason.Closed : DropReason.QueueFull;
    }

    internal void CountIn() => Interlocked.Increment(ref _messagesIn);

    internal void CountOut() => Interlocked.Increment(ref _messagesOut);

    /// <summary>The close frame the writer sends once the queue is drained: the first reason given wins.</summary>
    internal (WebSocketCloseStatus Status, string Description) CloseReason =>
        _closeReason ?? (WebSocketCloseStatus.NormalClosure, "closing");

    /// <summary>Ends the connection: no more frames are queued, and the writer closes the socket with this reason.</summary>
    internal void Close(WebSocketCloseStatus status, string description)
    {
        lock (_closing)
        {
            _closeReason ??= (status, description);
        }
        _queue.Writer.TryComplete();
        _closing.Cancel();
    }
}
