using System.Diagnostics;

namespace Brokkr.Tests.AppHost.Testing;

/// <summary>The built Brokkr.AppHost run as its own process (as azd and aspirate run it), with the isolated HOME.</summary>
public static class AppHostCommand
{
    /// <summary>The AppHost executable of the configuration these tests were built in.</summary>
    public static string Executable { get; } = Path.Combine(RepositoryRoot.Path, "Brokkr.AppHost", "bin",
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name, "net10.0", "Brokkr.AppHost");

    /// <summary>Runs it to completion; returns its exit code and its output (stdout and stderr).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        IsolatedHome.Ensure();
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        args.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
