using System.Threading.Channels;
using Brokkr.Wire;

namespace Brokkr.Broker.StackTelemetry;

/// <summary>
/// One live-tail socket's bounded send queue, drained by its own writer. Offering never waits: when the queue is at
/// its bound the frame is dropped and counted, and the stack stream's writer tells the consumer with a
/// <c>log_gap{reason: buffer_full}</c> before its next frame (upstream's lagged-subscriber marker). The fleet stream
/// sends no gap: the next <c>fleet_update</c> of an agent supersedes the missed one.
/// </summary>
public sealed class LiveSubscriber(string stream, Guid? stackId, TelemetryMetrics metrics)
{
    public const int QueueCapacity = 256;

    private readonly Channel<WsMessage> _queue = Channel.CreateBounded<WsMessage>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private long _missed;

    public string Stream { get; } = stream;

    /// <summary>The watched stack; null on the fleet stream.</summary>
    public Guid? StackId { get; } = stackId;

    public ChannelReader<WsMessage> Outgoing => _queue.Reader;

    public void Offer(WsMessage message)
    {
        if (!_queue.Writer.TryWrite(message))
        {
            Interlocked.Increment(ref _missed);
            metrics.LiveDropped(Stream);
        }
    }

    /// <summary>Frames dropped since the last call (and resets the count).</summary>
    public long TakeMissed() => Interlocked.Exchange(ref _missed, 0);

    public void Complete() => _queue.Writer.TryComplete();
}
