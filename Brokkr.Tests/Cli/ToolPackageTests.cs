using System.Reflection;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Infrastructure;

namespace Brokkr.Tests.Cli;

/// <summary>The README's install steps: Brokkr.Cli packs as a .NET tool that installs and runs as <c>brokkr</c>.</summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("brokkr-tool-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_tool_packs_installs_from_the_folder_and_runs_as_brokkr()
    {
        // Packs what this test run already built (same configuration), so the test builds nothing itself.
        var configuration = typeof(ToolPackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var project = Path.Combine(RepositoryRoot.Path, "Brokkr.Cli", "Brokkr.Cli.csproj");
        var packages = Path.Combine(_folder, "artifacts");
        await ProcessRunner.RunAsync("dotnet", ["pack", project, "-c", configuration, "--no-build", "-o", packages], timeout: TimeSpan.FromMinutes(3));
        Assert.Single(Directory.GetFiles(packages, "Brokkr.Cli.*.nupkg"));

        var tools = Path.Combine(_folder, "tools");
        await ProcessRunner.RunAsync("dotnet", ["tool", "install", "Brokkr.Cli", "--tool-path", tools, "--add-source", packages,
            "--ignore-failed-sources"], timeout: TimeSpan.FromMinutes(3));
        var help = await ProcessRunner.RunAsync(Path.Combine(tools, "brokkr"), ["--help"]);
        Assert.Contains("brokkr [command] [options]", help);
        foreach (var command in new[] { "apply", "register", "deregister", "registrations" })
        {
            Assert.Matches($"(?m)^  {command} ", help);
        }
    }
}
