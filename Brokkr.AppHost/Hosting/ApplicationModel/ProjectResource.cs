namespace Brokkr.AppHost.Hosting;

/// <summary>A .NET project, built and run as a local process in run mode; a <c>project.v0</c> in the manifest.</summary>
public sealed class ProjectResource(string name, string projectPath)
    : Resource(name), IResourceWithEndpoints, IResourceWithEnvironment, IResourceWithArgs, IResourceWithWaitSupport
{
    /// <summary>Absolute path of the .csproj.</summary>
    public string ProjectPath { get; } = projectPath;
}
