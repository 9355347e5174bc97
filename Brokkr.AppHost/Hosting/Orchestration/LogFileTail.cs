namespace Brokkr.AppHost.Hosting;

/// <summary>Follows a log file written by a daemon (PostgreSQL's server log) into the resource log.</summary>
internal sealed class LogFileTail(string path, Action<string> writeLine) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _task;

    /// <summary>Starts at the file's current end: earlier runs' lines are not repeated.</summary>
    public void Start()
    {
        var offset = File.Exists(path) ? new FileInfo(path).Length : 0;
        _task = Task.Run(() => FollowAsync(offset, _stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_task is not null)
        {
            await _task.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _stop.Dispose();
    }

    private async Task FollowAsync(long offset, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(300));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            if (!File.Exists(path) || new FileInfo(path).Length <= offset)
            {
                continue;
            }

            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(offset, SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                writeLine(line);
            }

            offset = stream.Position;
        }
    }
}
