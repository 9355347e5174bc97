using Microsoft.Extensions.Configuration;

namespace Brokkr.AppHost.Hosting;

public enum DistributedApplicationOperation
{
    Run,
    Publish,
}

/// <summary>Whether the AppHost runs the application or writes its manifest, and where run-mode state lives.</summary>
public sealed class DistributedApplicationExecutionContext(DistributedApplicationOperation operation, IConfiguration configuration,
    string appHostDirectory)
{
    public DistributedApplicationOperation Operation { get; } = operation;

    public bool IsRunMode => Operation == DistributedApplicationOperation.Run;

    public bool IsPublishMode => Operation == DistributedApplicationOperation.Publish;

    public IConfiguration Configuration { get; } = configuration;

    /// <summary>The folder holding the AppHost project; relative resource paths start here.</summary>
    public string AppHostDirectory { get; } = appHostDirectory;

    /// <summary>
    /// Run-mode state that survives restarts (PostgreSQL data, the agent's PAK): <c>AppHost:DataDirectory</c>, by
    /// default <c>.brokkr/</c> beside the solution.
    /// </summary>
    public string DataDirectory => Path.GetFullPath(Configuration["AppHost:DataDirectory"] is { Length: > 0 } configured
        ? configured
        : Path.Combine(AppHostDirectory, "..", ".brokkr"));

    /// <summary>Run mode: every endpoint on a free port instead of its preferred one (tests).</summary>
    public bool RandomizePorts => Configuration.GetValue("AppHost:RandomizePorts", false);
}
