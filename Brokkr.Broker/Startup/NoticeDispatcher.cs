using System.Threading.Channels;

namespace Brokkr.Broker.Startup;

/// <summary>
/// Hands the database listener's notices to a background loop that dispatches them one at a time. The listener's
/// callback must never wait (the same connection carries PAK revocations), so notices wait in a bounded queue and one
/// that does not fit is refused at once — <see cref="Offer"/> says so, for the caller to count. The per-notice twin of
/// <see cref="QueueDrain{T}"/>, which writes batches.
/// </summary>
public abstract class NoticeDispatcher<T> : BackgroundService
{
    private readonly Channel<T> _notices = Channel.CreateBounded<T>(
        new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Queues a notice without waiting; false when the queue is full and the notice was dropped.</summary>
    protected bool Offer(T notice) => _notices.Writer.TryWrite(notice);

    protected abstract Task DispatchAsync(T notice, CancellationToken cancellationToken);

    /// <summary>A notice whose dispatch failed; the loop goes on with the next one.</summary>
    protected abstract void OnFailed(T notice, Exception error);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var notice in _notices.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await DispatchAsync(notice, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                OnFailed(notice, e);
            }
        }
    }
}
