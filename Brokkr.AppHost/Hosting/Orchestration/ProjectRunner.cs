using System.Reflection;

namespace Brokkr.AppHost.Hosting;

/// <summary>
/// A .NET project as a local process: the assembly the AppHost's own build produced (it references the projects it runs),
/// or, when that is missing, one built now with <c>dotnet build</c>; run with the environment Aspire would inject.
/// </summary>
internal sealed class ProjectRunner(ProjectResource project, DistributedApplicationExecutionContext executionContext, ResourceConsole console)
    : ProcessResourceRunner(project, executionContext, console)
{
    // One build at a time: the projects share ServiceDefaults' output.
    private static readonly SemaphoreSlim BuildGate = new(1, 1);
    private string? _targetPath;

    public override string? SkipReason => File.Exists(project.ProjectPath)
        ? null
        : $"project file {Path.GetRelativePath(Path.Combine(ExecutionContext.AppHostDirectory, ".."), project.ProjectPath)} does not exist";

    public override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        _targetPath ??= BuiltAssembly();
        if (_targetPath is not null)
        {
            return;
        }

        await BuildGate.WaitAsync(cancellationToken);
        try
        {
            _targetPath ??= await BuildAsync(cancellationToken);
        }
        finally
        {
            BuildGate.Release();
        }
    }

    protected override async Task<ProcessLaunch> LaunchAsync(CancellationToken cancellationToken)
    {
        if (_targetPath is null)
        {
            await PrepareAsync(cancellationToken);
        }

        var environment = await EnvironmentEvaluator.ResolveAsync(project, ExecutionContext, cancellationToken);
        var args = new List<string> { _targetPath! };
        foreach (var arg in project.Annotations.OfType<CommandLineArgsAnnotation>().SelectMany(a => a.Args))
        {
            args.Add(await EnvironmentEvaluator.ResolveValueAsync(arg, cancellationToken));
        }

        return new ProcessLaunch("dotnet", args, environment, Path.GetDirectoryName(project.ProjectPath)!);
    }

    private async Task<string> BuildAsync(CancellationToken cancellationToken)
    {
        var output = await CommandRunner.RunAsync("dotnet",
            ["build", project.ProjectPath, "-t:Build", "-getProperty:TargetPath", "-c", BuildConfiguration, "-nologo"],
            timeout: TimeSpan.FromMinutes(5),
            // Build nodes left behind would keep the AppHost's own output pipes open.
            environment: new Dictionary<string, string> { ["MSBUILDDISABLENODEREUSE"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" },
            cancellationToken: cancellationToken);
        var targetPath = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return targetPath is not null && File.Exists(targetPath)
            ? targetPath
            : throw new InvalidOperationException($"building {project.ProjectPath} did not produce an assembly: {output.Trim()}");
    }

    /// <summary>The assembly recorded by the AppHost's build for this project (see Brokkr.AppHost.csproj), if it exists.</summary>
    private string? BuiltAssembly()
    {
        var key = "ProjectTargetPath:" + project.ProjectPath;
        var path = typeof(ProjectRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => string.Equals(a.Key, key, StringComparison.Ordinal))?.Value;
        return path is not null && File.Exists(path) ? path : null;
    }

    /// <summary>Debug or Release, whichever the AppHost itself was built in.</summary>
    private static string BuildConfiguration =>
        typeof(ProjectRunner).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
}
