using System.Diagnostics;

namespace Brokkr.Tests.Infrastructure;

/// <summary>Runs a short-lived program to completion and fails with its output when it fails.</summary>
public static class ProcessRunner
{
    // .NET resolves the user name from the effective uid.
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>Runs <paramref name="file"/>, as <paramref name="runAsUser"/> through runuser when given.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, string? runAsUser = null,
        TimeSpan? timeout = null)
    {
        var startInfo = runAsUser is null
            ? new ProcessStartInfo(file)
            : new ProcessStartInfo("runuser") { ArgumentList = { "-u", runAsUser, "--", file } };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.UseShellExecute = false;

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish within {timeout ?? TimeSpan.FromSeconds(60)}");
        }

        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} exited with {process.ExitCode}: {output}");
        }

        return output;
    }
}
