using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Brokkr.AppHost.Hosting;

namespace Brokkr.Tests.AppHost.Testing;

/// <summary>
/// Brokkr.AppHost run as a user runs it — its own process, plain console output — on free ports with the given data
/// folder and the Kubernetes stand-in. Reads its output, finds its processes, signals it.
/// </summary>
public sealed partial class AppHostProcess : IAsyncDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;
    private static readonly TimeSpan ReadyWait = TimeSpan.FromMinutes(3);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineAdded = new(0);

    private AppHostProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public IReadOnlyList<string> Lines => [.. _lines];

    public static AppHostProcess Start(string dataDirectory)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            typeof(DistributedApplication).Assembly.Location,
            $"--AppHost:DataDirectory={dataDirectory}",
            "--AppHost:RandomizePorts=true",
            "--AppHost:Console=plain",
            "--AppHost:UseKubernetesStandIn=true",
        ];
        args.ToList().ForEach(startInfo.ArgumentList.Add);
        var process = new Process { StartInfo = startInfo };
        var appHost = new AppHostProcess(process);
        process.OutputDataReceived += (_, e) => appHost.Add(e.Data);
        process.ErrorDataReceived += (_, e) => appHost.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return appHost;
    }

    /// <summary>Waits for the "where to look" report; returns each listed resource's URL.</summary>
    public async Task<IReadOnlyDictionary<string, Uri>> WaitUntilReadyAsync()
    {
        await WaitForLineAsync(line => line.EndsWith("Press Ctrl+C to stop everything.", StringComparison.Ordinal), ReadyWait);
        var start = Lines.ToList().FindLastIndex(l => l.Contains("Where to look:", StringComparison.Ordinal));
        return Lines.Skip(start + 1).Select(l => ReportLine().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups["name"].Value, m => new Uri(m.Groups["url"].Value));
    }

    public async Task WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!Lines.Any(match))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the AppHost exited with {_process.ExitCode}:\n{Tail()}");
            }

            try
            {
                await _lineAdded.WaitAsync(TimeSpan.FromSeconds(1), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no such AppHost output within {timeout}:\n{Tail()}");
            }
        }
    }

    /// <summary>The processes the AppHost started (its children) and the PostgreSQL server it runs (a daemon).</summary>
    public IReadOnlyDictionary<int, string> ResourceProcesses(string dataDirectory)
    {
        var processes = Directory.GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == Id)
            .ToDictionary(pid => pid, CommandLine);
        var postmaster = Path.Combine(dataDirectory, "postgres", "data", "postmaster.pid");
        if (File.Exists(postmaster))
        {
            var pid = int.Parse(File.ReadLines(postmaster).First(), CultureInfo.InvariantCulture);
            processes[pid] = CommandLine(pid);
        }

        return processes;
    }

    public static bool IsRunning(int pid)
    {
        try
        {
            // A zombie has exited; only its parent's wait is missing.
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Signal(int signal) => Assert.Equal(0, SendSignal(Id, signal));

    /// <summary>SIGKILL to the AppHost alone: what a crash or <c>kill -9</c> does, leaving its resources running.</summary>
    public void KillAppHostOnly() => _process.Kill(entireProcessTree: false);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the AppHost did not exit within {timeout}:\n{Tail()}");
        }

        return _process.ExitCode;
    }

    public string Tail(int count = 60) => string.Join('\n', Lines.TakeLast(count));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
            _lineAdded.Release();
        }
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    [GeneratedRegex(@"^apphost\s+\|\s{3}(?<name>[a-z][a-z0-9-]*)\s+(?<url>[a-z]+://\S+)")]
    private static partial Regex ReportLine();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
