namespace Brokkr.AppHost.Hosting;

/// <summary>What every runner with a child process shares: start it with logs to the resource's log, stop it, report its exit.</summary>
internal abstract class ProcessResourceRunner(IResource resource, DistributedApplicationExecutionContext executionContext, ResourceConsole console)
    : IResourceRunner, IDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
    private readonly LeftoverProcess _leftover = new(executionContext.DataDirectory, resource.Name);
    private ManagedProcess? _process;
    private TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected IResource Resource { get; } = resource;

    protected DistributedApplicationExecutionContext ExecutionContext { get; } = executionContext;

    protected HttpHealthProbe Health { get; } = new(resource);

    public virtual string? SkipReason => null;

    public Task<int> Exited => _exited.Task;

    public IReadOnlyList<string> Urls => [.. Resource.Annotations.OfType<EndpointAnnotation>()
        .Where(e => e.AllocatedPort is not null)
        .Select(e => new EndpointReference((IResourceWithEndpoints)Resource, e.Name).Url)];

    public virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopLeftoverAsync(CancellationToken cancellationToken) =>
        _leftover.StopAsync(line => console.WriteLog(Resource.Name, line), cancellationToken);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (file, args, environment, workingDirectory) = await LaunchAsync(cancellationToken);
        _exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = ManagedProcess.Start(file, args, environment, workingDirectory, line => console.WriteLog(Resource.Name, line));
        _process = process;
        _leftover.Remember(process.Id);
        _ = process.Exited.ContinueWith(t =>
        {
            _leftover.Forget();
            _exited.TrySetResult(t.Result);
        }, TaskScheduler.Default);
    }

    public virtual Task<bool> CheckHealthAsync(CancellationToken cancellationToken) => Health.CheckAsync(cancellationToken);

    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            await process.StopAsync(StopGrace);
        }
    }

    public void Dispose() => Health.Dispose();

    /// <summary>The command line, environment and folder to start the process with.</summary>
    protected abstract Task<ProcessLaunch> LaunchAsync(CancellationToken cancellationToken);
}

internal sealed record ProcessLaunch(string File, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory);
