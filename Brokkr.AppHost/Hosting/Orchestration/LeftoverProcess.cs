using System.Globalization;

namespace Brokkr.AppHost.Hosting;

/// <summary>
/// Remembers a resource's process in <c>&lt;data&gt;/run/&lt;resource&gt;.pid</c> (pid and kernel start time) so that a process
/// left running by an AppHost that was killed outright (SIGKILL, a crash) is stopped by the next start instead of holding
/// the resource's port.
/// </summary>
internal sealed class LeftoverProcess(string dataDirectory, string resourceName)
{
    private string PidFile => Path.Combine(dataDirectory, "run", resourceName + ".pid");

    public void Remember(int pid)
    {
        if (StartTime(pid) is not { } started)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(PidFile)!);
        File.WriteAllText(PidFile, $"{pid.ToString(CultureInfo.InvariantCulture)} {started}\n");
    }

    public void Forget()
    {
        if (File.Exists(PidFile))
        {
            File.Delete(PidFile);
        }
    }

    /// <summary>Stops the remembered process if it still runs (the same process: a reused pid has another start time).</summary>
    public async Task StopAsync(Action<string> report, CancellationToken cancellationToken)
    {
        if (!File.Exists(PidFile))
        {
            return;
        }

        var parts = (await File.ReadAllTextAsync(PidFile, cancellationToken)).Split(' ', StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var pid) && StartTime(pid) == parts[1])
        {
            report($"stopping process {pid} left running by an earlier AppHost");
            await ManagedProcess.TerminateAsync(pid, TimeSpan.FromSeconds(10));
        }

        Forget();
    }

    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat (start time in clock ticks since boot), or null when the process is gone.</summary>
    private static string? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 ? fields[19] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
