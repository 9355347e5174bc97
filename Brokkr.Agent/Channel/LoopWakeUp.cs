namespace Brokkr.Agent.Channel;

/// <summary>
/// Lets a pushed change cut the control loop's wait short, so the next tick (heartbeat, poll, reconcile) runs now —
/// the loop's own path, not a second one. A wake that arrives while a tick runs is kept and ends the next wait at once.
/// </summary>
public sealed class LoopWakeUp
{
    private TaskCompletionSource _signal = NewSignal();

    public void Wake() => Volatile.Read(ref _signal).TrySetResult();

    /// <summary>Waits <paramref name="delay"/> on <paramref name="time"/>, or less when woken; true when woken.</summary>
    public async Task<bool> DelayAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        var signal = Volatile.Read(ref _signal);
        using var stopTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = Task.Delay(delay, time, stopTimer.Token);
        if (await Task.WhenAny(timer, signal.Task) == signal.Task)
        {
            await stopTimer.CancelAsync();
            Interlocked.CompareExchange(ref _signal, NewSignal(), signal);
            cancellationToken.ThrowIfCancellationRequested();
            return true;
        }
        await timer;
        return false;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
