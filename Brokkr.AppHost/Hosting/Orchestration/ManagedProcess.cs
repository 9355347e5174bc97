using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Brokkr.AppHost.Hosting;

/// <summary>
/// A long-running child process whose output lines go to the resource log; stopped with SIGTERM, then killed. It runs in
/// its own session (through setsid), so a Ctrl+C or a closed terminal reaches only the AppHost, which stops the resources
/// in order — dependents first — instead of every process dying at once.
/// </summary>
internal sealed class ManagedProcess
{
    private const int SigTerm = 15;
    private const string SetSid = "/usr/bin/setsid";
    private readonly Process _process;

    private ManagedProcess(Process process, Task<int> exited)
    {
        _process = process;
        Exited = exited;
    }

    public int Id => _process.Id;

    /// <summary>Completes with the exit code when the process ends.</summary>
    public Task<int> Exited { get; }

    public static ManagedProcess Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, Action<string> writeLine)
    {
        // setsid execs the program in place (same pid) since the child of a fork is never a process group leader.
        var ownSession = File.Exists(SetSid);
        var startInfo = new ProcessStartInfo(ownSession ? SetSid : file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (ownSession)
        {
            startInfo.ArgumentList.Add(file);
        }

        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => WriteIfLine(e.Data, writeLine);
        process.ErrorDataReceived += (_, e) => WriteIfLine(e.Data, writeLine);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {file}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ManagedProcess(process, WaitForExitAsync(process));
    }

    /// <summary>SIGTERM for a graceful shutdown; whatever is left after <paramref name="grace"/> is killed with its children.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!Exited.IsCompleted)
        {
            _ = SendSignal(_process.Id, SigTerm);
            await Task.WhenAny(Exited, Task.Delay(grace));
        }

        KillTree(_process);
        await Exited;
        _process.Dispose();
    }

    /// <summary>Stops a process this AppHost did not start (one left behind by an earlier run): SIGTERM, then SIGKILL.</summary>
    public static async Task TerminateAsync(int pid, TimeSpan grace)
    {
        Process process;
        try
        {
            process = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return; // Already gone.
        }

        using (process)
        {
            _ = SendSignal(pid, SigTerm);
            using var timeout = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                KillTree(process);
            }
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static async Task<int> WaitForExitAsync(Process process)
    {
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    private static void WriteIfLine(string? line, Action<string> writeLine)
    {
        if (line is not null)
        {
            writeLine(line);
        }
    }

    // Plain DllImport: LibraryImport would need unsafe code enabled for this one blittable call.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
