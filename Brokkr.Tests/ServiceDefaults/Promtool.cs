using System.Diagnostics;

namespace Brokkr.Tests.ServiceDefaults;

/// <summary>Runs <c>promtool check metrics</c> (installed by scripts/prerequisites.sh) over an exposition text.</summary>
internal static class Promtool
{
    public const string Path = "/usr/bin/promtool";

    /// <summary>The linter's findings, one per line (empty when clean).</summary>
    public static async Task<string[]> CheckMetricsAsync(string exposition)
    {
        Assert.True(File.Exists(Path), $"{Path} is missing: run scripts/prerequisites.sh");
        var startInfo = new ProcessStartInfo(Path)
        {
            ArgumentList = { "check", "metrics" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        var output = (await stdout + await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // Exit code 3 means lint findings only; anything else non-zero is a parse error of the exposition itself.
        Assert.True(process.ExitCode is 0 or 3, $"promtool failed ({process.ExitCode}): {string.Join('\n', output)}");
        return output;
    }
}
