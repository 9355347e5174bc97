using System.Diagnostics;
using Brokkr.Tests.Operations;

namespace Brokkr.Tests.ServiceDefaults;

/// <summary>
/// Runs <c>promtool check metrics</c> over an exposition text; promtool is found on PATH as scripts/prerequisites.sh
/// looks for it (a missing one fails the test with instructions, never skips it).
/// </summary>
internal static class Promtool
{
    /// <summary>The linter's findings, one per line (empty when clean).</summary>
    public static async Task<string[]> CheckMetricsAsync(string exposition)
    {
        var startInfo = new ProcessStartInfo(RequiredTool.Promtool)
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
