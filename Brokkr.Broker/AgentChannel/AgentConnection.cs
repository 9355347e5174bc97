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

    public AgentConnection(Guid agentId, DateTime connectedSince)
    {
        AgentId = agentId;
        ConnectedSince = connectedSince;
    }

    public Guid AgentId { get; }
    public DateTime ConnectedSince { get; }
    public long MessagesIn => Interlocked.Read(ref _messagesIn);
    public long MessagesOut => Interlocked.Read(ref _messagesOut);

    /// <summary>Cancelled when the broker ends this connection (replaced by a newer one, or shutting down).</summary>
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
