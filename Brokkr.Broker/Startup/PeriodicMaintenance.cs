namespace Brokkr.Broker.Startup;

/// <summary>
/// A background task that runs <see cref="RunOnceAsync"/> every interval; a failed run is logged and the next tick
/// tries again, so one database hiccup does not end the task for the life of the process.
/// </summary>
public abstract class PeriodicMaintenance(TimeSpan interval, ILogger logger, string what) : BackgroundService
{
    protected ILogger Logger { get; } = logger;

    public abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Logger.LogWarning(e, "{What} failed; retrying at the next tick", what);
            }
        }
    }
}
