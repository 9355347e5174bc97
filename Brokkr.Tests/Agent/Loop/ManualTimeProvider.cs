namespace Brokkr.Tests.Agent.Loop;

/// <summary>
/// A clock the test moves: timers (and so <c>Task.Delay(d, provider)</c>) fire only when <see cref="Advance"/> passes
/// their due time. Every requested delay is recorded, so a test can read the agent's backoff schedule exactly, and
/// <see cref="WaitForTimerAsync"/> tells when the agent's loop has finished a tick and is waiting for the next.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly List<TimeSpan> _requested = [];
    private DateTimeOffset _now = new(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <summary>Every timer due time requested so far, in order.</summary>
    public IReadOnlyList<TimeSpan> RequestedDelays
    {
        get
        {
            lock (_lock)
            {
                return [.. _requested];
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock and fires every timer that became due.</summary>
    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (_lock)
        {
            _now += by;
            due = _timers.Where(t => t.DueAt <= _now).ToList();
            foreach (var timer in due)
            {
                _timers.Remove(timer);
            }
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    /// <summary>Waits until a timer created after the <paramref name="afterRequest"/>-th request is pending; returns its delay.</summary>
    public async Task<TimeSpan> WaitForTimerAsync(int afterRequest, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            lock (_lock)
            {
                if (_requested.Count > afterRequest && _timers.Count > 0)
                {
                    return _requested[^1];
                }
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"no timer was requested after request #{afterRequest} within the timeout");
    }

    public int RequestCount
    {
        get
        {
            lock (_lock)
            {
                return _requested.Count;
            }
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }

                owner._requested.Add(dueTime);
                DueAt = owner._now + dueTime;
                owner._timers.Add(this);
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
