namespace Brokkr.Broker.Startup;

/// <summary>
/// A background task that runs <see cref="RunOnceAsync"/> every interval; a failed run is logged and the next tick
/// tries again, so one database hiccup does not end the task for the life of the process. The interval is read again
/// at every tick, so a configuration reload (<c>POST /admin/config/reload</c>) changes it from the next one on.
/// </summary>
public abstract class PeriodicMaintenance(Func<TimeSpan> interval, ILogger logger, string what) : BackgroundService
{
    protected ILogger Logger { get; } = logger;

    public abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval());
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            timer.Period = Interval();
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

    private TimeSpan Interval() => interval() is var every && every < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : every;
}
