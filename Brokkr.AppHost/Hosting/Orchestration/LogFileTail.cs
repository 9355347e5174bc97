namespace Brokkr.AppHost.Hosting;

/// <summary>Follows a log file written by a daemon (PostgreSQL's server log) into the resource log.</summary>
internal sealed class LogFileTail(string path, Action<string> writeLine) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task<long>? _task;

    /// <summary>Starts at the file's current end: earlier runs' lines are not repeated.</summary>
    public void Start()
    {
        var offset = File.Exists(path) ? new FileInfo(path).Length : 0;
        _task = Task.Run(() => FollowAsync(offset, _stop.Token));
    }

    /// <summary>Stops following after passing on what was written last (the daemon's shutdown lines).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_task is not null)
        {
            await ReadNewLinesAsync(await _task, CancellationToken.None);
        }

        _stop.Dispose();
    }

    private async Task<long> FollowAsync(long offset, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(300));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                offset = await ReadNewLinesAsync(offset, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        return offset;
    }

    private async Task<long> ReadNewLinesAsync(long offset, CancellationToken cancellationToken)
    {
        if (!File.Exists(path) || new FileInfo(path).Length <= offset)
        {
            return offset;
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            writeLine(line);
        }

        return stream.Position;
    }
}
