using System.Runtime.InteropServices;

namespace Brokkr.AppHost.Hosting;

/// <summary>
/// The built application: in publish mode (<c>--publisher manifest --output-path p</c>) it writes the manifest and exits;
/// in run mode it starts every resource as a local process and stops them all on Ctrl+C or SIGTERM.
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly DistributedApplicationExecutionContext _executionContext;
    private readonly ApplicationOrchestrator _orchestrator;
    private readonly bool _captured;

    internal DistributedApplication(IReadOnlyList<IResource> resources, DistributedApplicationExecutionContext executionContext, bool captured)
    {
        Resources = resources;
        _executionContext = executionContext;
        _captured = captured;
        ResourceNotifications = new ResourceNotificationService(resources);
        _orchestrator = new ApplicationOrchestrator(resources, executionContext, ResourceNotifications);
    }

    public IReadOnlyList<IResource> Resources { get; }

    public ResourceNotificationService ResourceNotifications { get; }

    public static IDistributedApplicationBuilder CreateBuilder(string[] args)
    {
        var capture = DistributedApplicationCapture.Current;
        var builder = new DistributedApplicationBuilder(capture is null ? args : [.. args, .. capture.Args], captured: capture is not null);
        capture?.Captured(builder);
        return builder;
    }

    public void Run() => RunAsync().GetAwaiter().GetResult();

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        if (_captured)
        {
            // A test captured the builder: it builds and starts the application itself.
            return;
        }

        if (_executionContext.IsPublishMode)
        {
            await PublishAsync(cancellationToken);
            return;
        }

        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Ctrl+C, kill, a closed terminal: each stops the resources in order. They run in their own sessions, so only the
        // AppHost gets these signals.
        var signals = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
            .Select(signal => PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                shutdown.Cancel();
            }))
            .ToList();
        try
        {
            await using (this)
            {
                try
                {
                    await StartAsync(shutdown.Token);
                    await _orchestrator.ReportWhenReadyAsync(shutdown.Token);
                    await Task.Delay(Timeout.Infinite, shutdown.Token);
                }
                catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
                {
                    _orchestrator.Console?.WriteInfo("stopping every resource, dependents first");
                }
            }
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync($"apphost: {e.Message}");
            Environment.ExitCode = 1;
        }
        finally
        {
            signals.ForEach(s => s.Dispose());
        }
    }

    /// <summary>Starts every resource in the background; resources start as their dependencies turn healthy.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => _orchestrator.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => _orchestrator.StopAsync(cancellationToken);

    /// <summary>The local URL of a resource's endpoint (<c>http</c> unless named) once the application has started.</summary>
    public Uri GetEndpoint(string resourceName, string endpointName = "http")
    {
        var resource = Resources.OfType<IResourceWithEndpoints>().SingleOrDefault(r => r.Name == resourceName)
            ?? throw new ArgumentException($"no resource '{resourceName}' with endpoints", nameof(resourceName));
        return new Uri(new EndpointReference(resource, endpointName).Url);
    }

    /// <summary>The last lines a resource logged (kept even when the console is quiet).</summary>
    public IReadOnlyList<string> GetResourceLogs(string resourceName) => _orchestrator.Console?.RecentLines(resourceName) ?? [];

    public ValueTask DisposeAsync() => new(_orchestrator.StopAsync(CancellationToken.None));

    private async Task PublishAsync(CancellationToken cancellationToken)
    {
        var publisher = _executionContext.Configuration["Publishing:Publisher"];
        if (publisher != "manifest")
        {
            throw new InvalidOperationException($"unknown publisher '{publisher}'; the only one is 'manifest'");
        }

        var outputPath = _executionContext.Configuration["Publishing:OutputPath"];
        if (string.IsNullOrEmpty(outputPath))
        {
            throw new InvalidOperationException("--output-path is required with --publisher manifest");
        }

        var path = ManifestPublisher.ResolveOutputPath(outputPath);
        await new ManifestPublisher(Resources, _executionContext).WriteAsync(path, cancellationToken);
        Console.WriteLine($"Published manifest to: {path}");
    }
}
