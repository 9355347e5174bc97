namespace Brokkr.AppHost.Hosting;

/// <summary>Runs one kind of resource on this machine.</summary>
internal interface IResourceRunner
{
    /// <summary>Why the resource will not run here (tool not installed, external server used), or null.</summary>
    string? SkipReason { get; }

    /// <summary>Stops what an earlier AppHost that was killed left running for this resource, before ports are chosen.</summary>
    Task StopLeftoverAsync(CancellationToken cancellationToken);

    /// <summary>Work that need not wait for dependencies (building a project), done while they start.</summary>
    Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>Starts the resource; returns once its process runs (health is checked separately).</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Completes with an exit code if the resource's process ends; never for resources without one.</summary>
    Task<int> Exited { get; }

    Task<bool> CheckHealthAsync(CancellationToken cancellationToken);

    /// <summary>URLs for the resource table.</summary>
    IReadOnlyList<string> Urls { get; }

    Task StopAsync();
}
