namespace Brokkr.AppHost.Hosting;

/// <summary>Picks the local runner for each resource kind; containers by image, since there is no container runtime here.</summary>
internal static class ResourceRunnerFactory
{
    public static Dictionary<IResource, IResourceRunner> Create(IReadOnlyList<IResource> model,
        DistributedApplicationExecutionContext executionContext, ResourceConsole console)
    {
        var runners = new Dictionary<IResource, IResourceRunner>();
        foreach (var resource in model)
        {
            IResourceRunner? runner = resource switch
            {
                PostgresServerResource server => new PostgresServerRunner(server, executionContext, console),
                PostgresDatabaseResource database => new PostgresDatabaseRunner(database,
                    runners.GetValueOrDefault(database.Parent) as PostgresServerRunner),
                ProjectResource project => new ProjectRunner(project, executionContext, console),
                ContainerResource { Image: PrometheusRunner.Image } prometheus =>
                    new PrometheusRunner(prometheus, model, executionContext, console),
                ContainerResource other => new UnsupportedRunner(
                    $"no local runner for container image {other.ImageReference} (no container runtime is used)"),
                _ => null,
            };
            if (runner is not null)
            {
                runners[resource] = runner;
            }
        }

        return runners;
    }

    private sealed class UnsupportedRunner(string reason) : IResourceRunner
    {
        public string? SkipReason => reason;

        public Task<int> Exited => Task.FromResult(0);

        public IReadOnlyList<string> Urls => [];

        public Task StopLeftoverAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<bool> CheckHealthAsync(CancellationToken cancellationToken) => Task.FromResult(false);

        public Task StopAsync() => Task.CompletedTask;
    }
}
