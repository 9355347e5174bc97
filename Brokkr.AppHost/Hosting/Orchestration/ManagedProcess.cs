using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Brokkr.AppHost.Hosting;

/// <summary>A long-running child process whose output lines go to the resource log; stopped with SIGTERM, then killed.</summary>
internal sealed class ManagedProcess
{
    private const int SigTerm = 15;
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
        var startInfo = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
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

        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        await Exited;
        _process.Dispose();
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
