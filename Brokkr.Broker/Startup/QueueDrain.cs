using System.Threading.Channels;

namespace Brokkr.Broker.Startup;

/// <summary>
/// A background writer for an in-memory queue: flushes whatever is queued as soon as something arrives, one batch per
/// <see cref="FlushAsync"/>, and on shutdown completes the queue and flushes what is left for up to five seconds.
/// </summary>
public abstract class QueueDrain<T>(ChannelReader<T> reader, Action complete) : BackgroundService
{
    private static readonly TimeSpan ShutdownFlush = TimeSpan.FromSeconds(5);

    /// <summary>Writes one batch of what is queued (nothing when the queue is empty).</summary>
    public abstract Task FlushAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        complete();
        using var timeout = new CancellationTokenSource(ShutdownFlush);
        while (reader.Count > 0 && !timeout.IsCancellationRequested)
        {
            await FlushAsync(timeout.Token);
        }
    }
}
