using System.Diagnostics;

namespace Brokkr.AppHost.Postgres;

/// <summary>
/// PostgreSQL refuses to run as root; run as root, its programs run as the <c>postgres</c> user through
/// <c>setpriv</c>, which execs in place so the stop signal DCP sends reaches the server itself.
/// </summary>
internal static class ServiceUser
{
    public const string Name = "postgres";

    public static bool IsRoot { get; } = Environment.UserName == "root";

    /// <summary>The command line that runs <paramref name="program"/> as the service user (unchanged when not root).</summary>
    public static (string Command, string[] Prefix) Wrap(string program) => IsRoot
        ? ("setpriv", [$"--reuid={Name}", $"--regid={Name}", "--init-groups", program])
        : (program, []);

    /// <summary>Hands <paramref name="path"/> to the service user (root only).</summary>
    public static Task GiveAsync(string path, CancellationToken cancellationToken) =>
        IsRoot ? RunAsync("chown", ["-R", $"{Name}:{Name}", path], asServiceUser: false, cancellationToken) : Task.CompletedTask;

    public static async Task RunAsync(string program, string[] arguments, bool asServiceUser, CancellationToken cancellationToken)
    {
        var (command, prefix) = asServiceUser ? Wrap(program) : (program, []);
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in prefix.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command} did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {(await error).Trim()} {(await output).Trim()}".Trim());
        }
    }
}
