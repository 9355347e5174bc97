namespace Brokkr.Benchmarks;

/// <summary>
/// A generator pushing a new deployment object to the next stack every few seconds while a round runs: the agents
/// targeting that stack (about T/S of the fleet) then get a changed target state on their next poll.
/// </summary>
public sealed class StackChanges(FleetSeeder seeder, double everySeconds)
{
    private readonly FleetSeeder _seeder = seeder;
    private readonly double _everySeconds = everySeconds;
    private int _pushed;

    public int Pushed => Volatile.Read(ref _pushed);

    public Pushing Start() => new(this);

    public sealed class Pushing : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        internal Pushing(StackChanges changes)
        {
            _loop = changes._everySeconds <= 0 ? Task.CompletedTask : Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(changes._everySeconds));
                try
                {
                    while (await timer.WaitForNextTickAsync(_stop.Token))
                    {
                        var revision = Interlocked.Increment(ref changes._pushed);
                        await changes._seeder.ChangeStackAsync(revision % changes._seeder.Stacks.Length, revision);
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _loop;
        }

        public void Dispose() => _stop.Dispose();
    }
}
