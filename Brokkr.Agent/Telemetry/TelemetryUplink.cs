using System.Threading.Channels;
using Brokkr.Wire;

namespace Brokkr.Agent.Telemetry;

/// <summary>
/// The agent's bounded outbound queue of telemetry frames (<c>k8s_event</c>, <c>pod_log_line</c>, <c>log_gap</c>),
/// drained through the broker channel by <see cref="PumpAsync"/> while the channel is up. Telemetry never goes
/// over REST. Offering never waits: a full queue refuses the frame; for log lines the refusals are remembered per
/// stack and sent as one <c>log_gap{reason: buffer_full}</c> once there is room again.
/// </summary>
public sealed class TelemetryUplink
{
    public const int Capacity = 1024;

    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<WsMessage> _queue = System.Threading.Channels.Channel.CreateBounded<WsMessage>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, (DateTime Since, ulong Count, Guid Agent)> _gaps = [];

    public int Depth => _queue.Reader.Count;

    /// <summary>Queues a frame; false when the queue is full (the frame is dropped).</summary>
    public bool Offer(WsMessage message)
    {
        FlushGaps();
        if (_queue.Writer.TryWrite(message))
        {
            return true;
        }
        if (message is PodLogLineMessage { Body: var line })
        {
            lock (_lock)
            {
                var (since, count, _) = _gaps.GetValueOrDefault(line.StackId, (line.Ts, 0UL, line.AgentId));
                _gaps[line.StackId] = (since, count + 1, line.AgentId);
            }
        }
        return false;
    }

    /// <summary>
    /// Sends queued frames through <paramref name="send"/> (the channel's single sender) until cancelled. A frame the
    /// channel could not take stays at the head of the queue and is tried again after <see cref="RetryDelay"/>: the
    /// channel is down or busy, and telemetry has no REST path to fall back to.
    /// </summary>
    public async Task PumpAsync(Func<WsMessage, CancellationToken, Task<bool>> send, CancellationToken cancellationToken)
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(cancellationToken))
            {
                while (_queue.Reader.TryPeek(out var message))
                {
                    if (!await send(message, cancellationToken))
                    {
                        await Task.Delay(RetryDelay, cancellationToken);
                        continue;
                    }
                    _queue.Reader.TryRead(out _);
                }
                FlushGaps();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void FlushGaps()
    {
        lock (_lock)
        {
            foreach (var (stack, gap) in _gaps.ToList())
            {
                if (!_queue.Writer.TryWrite(new LogGapMessage(new WireLogGap(gap.Agent, stack, gap.Since, gap.Count, "buffer_full"))))
                {
                    return;
                }
                _gaps.Remove(stack);
            }
        }
    }
}
