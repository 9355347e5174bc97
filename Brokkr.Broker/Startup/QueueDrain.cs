using System.Threading.Channels;

namespace Brokkr.Broker.Startup;

/// <summary>
/// A background writer for an in-memory queue: flushes whatever is queued as soon as something arrives, one batch per
/// <see cref="FlushAsync"/>, and on shutdown completes the queue and flushes what is left for up to five seconds.
/// </summary>
public abstract class QueueDrain<T>(ChannelReader<T> reader, Action complete) : BackgroundService
{
    private static readonly TimeSpan ShutdownFlush = TimeSpan.FromSeconds(5);

    /// <summary>Most items one <see cref="WriteAsync"/> gets (read at every batch, so it may follow configuration).</summary>
    protected abstract int BatchSize { get; }

    /// <summary>Writes one non-empty batch; must not throw for a batch the store refuses (log and count it instead).</summary>
    protected abstract Task WriteAsync(List<T> batch, CancellationToken cancellationToken);

    /// <summary>Writes one batch of what is queued (nothing when the queue is empty); tests call it to flush at once.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = new List<T>();
        while (batch.Count < Math.Max(1, BatchSize) && reader.TryRead(out var item))
        {
            batch.Add(item);
        }
        if (batch.Count > 0)
        {
            await WriteAsync(batch, cancellationToken);
        }
    }

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
