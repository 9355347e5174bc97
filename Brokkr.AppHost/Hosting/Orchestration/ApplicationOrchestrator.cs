namespace Brokkr.AppHost.Hosting;

/// <summary>
/// Run mode: gives endpoints ports, starts each resource once the resources it waits for are healthy, watches health,
/// restarts processes that die, and stops everything (dependents first) on shutdown.
/// </summary>
internal sealed class ApplicationOrchestrator(IReadOnlyList<IResource> model, DistributedApplicationExecutionContext executionContext,
    ResourceNotificationService notifications)
{
    private const int MaxRestarts = 3;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<IResourceRunner> _startOrder = [];
    private readonly List<Task> _resourceTasks = [];
    private Dictionary<IResource, IResourceRunner> _runners = [];
    private Task? _stopped;
    private DataDirectoryLock? _dataDirectoryLock;

    public ResourceConsole? Console { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Console is not null)
        {
            throw new InvalidOperationException("the application has already been started");
        }

        _dataDirectoryLock = DataDirectoryLock.Acquire(executionContext.DataDirectory);
        Console = new ResourceConsole(executionContext.Configuration, notifications, model);
        _runners = ResourceRunnerFactory.Create(model, executionContext, Console);
        // Before choosing ports: a leftover would otherwise hold a resource's preferred port.
        await Task.WhenAll(_runners.Values.Select(r => r.StopLeftoverAsync(cancellationToken)));
        PortAllocator.Allocate(model, executionContext.RandomizePorts, Console.WriteInfo);
        foreach (var (resource, runner) in _runners)
        {
            _resourceTasks.Add(Task.Run(() => RunResourceAsync(resource, runner, _stopping.Token), CancellationToken.None));
        }
    }

    /// <summary>Once nothing is starting any more: where to look, or what failed.</summary>
    public async Task ReportWhenReadyAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_runners.Keys.Select(async r =>
        {
            try
            {
                await notifications.WaitForResourceHealthyAsync(r.Name, cancellationToken);
            }
            catch (InvalidOperationException)
            {
                // Listed by the report.
            }
        }));
        Console!.ClearTable();
        foreach (var line in ReadyReport.Lines(model, _runners, notifications))
        {
            Console.WriteInfo(line);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_startOrder)
        {
            _stopped ??= StopAllAsync();
        }

        return _stopped.WaitAsync(cancellationToken);
    }

    private async Task StopAllAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_resourceTasks).ContinueWith(_ => { }, TaskScheduler.Default);
        List<IResourceRunner> order;
        lock (_startOrder)
        {
            order = Enumerable.Reverse(_startOrder).ToList();
        }

        foreach (var runner in order)
        {
            var resource = _runners.First(r => r.Value == runner).Key;
            notifications.PublishUpdate(resource.Name, s => s with { State = KnownResourceStates.Stopping });
            await runner.StopAsync();
            notifications.PublishUpdate(resource.Name, s => s with { State = KnownResourceStates.Finished, Health = null });
        }

        foreach (var runner in _runners.Values.OfType<IDisposable>())
        {
            runner.Dispose();
        }

        Console?.ClearTable();
        Console?.Dispose();
        _dataDirectoryLock?.Dispose();
    }

    private async Task RunResourceAsync(IResource resource, IResourceRunner runner, CancellationToken stopping)
    {
        if (runner.SkipReason is { } reason)
        {
            Update(resource, KnownResourceStates.Skipped, null, reason);
            return;
        }

        try
        {
            Update(resource, KnownResourceStates.Waiting, null, null);
            var prepare = runner.PrepareAsync(stopping);
            foreach (var dependency in Dependencies(resource))
            {
                await WaitForDependencyAsync(resource, dependency, stopping);
            }

            await prepare;
            foreach (var hook in resource.Annotations.OfType<BeforeResourceStartedAnnotation>())
            {
                await hook.Callback(executionContext, stopping);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Fail(resource, e);
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await SuperviseAsync(resource, runner, stopping);
    }

    /// <summary>Start, watch health until the process exits, restart it a few times with growing pauses.</summary>
    private async Task SuperviseAsync(IResource resource, IResourceRunner runner, CancellationToken stopping)
    {
        for (var restarts = 0; !stopping.IsCancellationRequested; restarts++)
        {
            try
            {
                Update(resource, restarts == 0 ? KnownResourceStates.Starting : KnownResourceStates.Restarting, null, null, restarts);
                lock (_startOrder)
                {
                    if (!_startOrder.Contains(runner))
                    {
                        _startOrder.Add(runner);
                    }
                }

                await runner.StartAsync(stopping);
                notifications.PublishUpdate(resource.Name, s => s with { State = KnownResourceStates.Running, Urls = runner.Urls });
                using var watching = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                var health = WatchHealthAsync(resource, runner, watching.Token);
                var exitCode = await runner.Exited.WaitAsync(stopping);
                await watching.CancelAsync();
                await health;
                if (restarts >= MaxRestarts)
                {
                    Update(resource, KnownResourceStates.Exited, null, $"exit code {exitCode}; gave up after {MaxRestarts} restarts", restarts);
                    return;
                }

                Console!.WriteInfo($"{resource.Name}: exited with code {exitCode}; restarting");
                await Task.Delay(TimeSpan.FromSeconds(2 << restarts), stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Fail(resource, e);
                return;
            }
        }
    }

    private async Task WatchHealthAsync(IResource resource, IResourceRunner runner, CancellationToken cancellationToken)
    {
        string? last = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            bool healthy;
            try
            {
                healthy = await runner.CheckHealthAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var health = healthy ? HealthStatus.Healthy : HealthStatus.Unhealthy;
            if (health != last)
            {
                last = health;
                notifications.PublishUpdate(resource.Name, s => s with { Health = health });
            }

            // Poll often until healthy (others are waiting), then just keep the table current.
            await Task.Delay(healthy ? TimeSpan.FromSeconds(5) : TimeSpan.FromMilliseconds(250), cancellationToken)
                .ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task WaitForDependencyAsync(IResource resource, IResource dependency, CancellationToken stopping)
    {
        try
        {
            await notifications.WaitForResourceHealthyAsync(dependency.Name, stopping);
        }
        catch (InvalidOperationException) when (notifications.Get(dependency.Name).State == KnownResourceStates.Skipped)
        {
            // Not run here on purpose (an existing server given instead, a tool not installed): nothing to wait for.
        }
        catch (InvalidOperationException)
        {
            throw new InvalidOperationException($"waits for '{dependency.Name}', which is {notifications.Get(dependency.Name).State}");
        }
    }

    private IEnumerable<IResource> Dependencies(IResource resource)
    {
        var waits = resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource);
        var parent = resource is IResourceWithParent<IResource> child ? [child.Parent] : Array.Empty<IResource>();
        // A dependency removed from the model (tests) or without a runner cannot be waited for.
        return parent.Concat(waits).Where(_runners.ContainsKey).Distinct();
    }

    private void Update(IResource resource, string state, string? health, string? message, int restarts = 0) =>
        notifications.PublishUpdate(resource.Name, s => s with { State = state, Health = health, Message = message, Restarts = restarts });

    private void Fail(IResource resource, Exception e)
    {
        Update(resource, KnownResourceStates.FailedToStart, null, e.Message, notifications.Get(resource.Name).Restarts);
    }
}
