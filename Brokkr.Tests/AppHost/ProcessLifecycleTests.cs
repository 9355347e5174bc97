using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Infrastructure;

namespace Brokkr.Tests.AppHost;

/// <summary>Run alone, after the parallel collections: a second whole graph starting beside the others starves on two cores.</summary>
[CollectionDefinition(ProcessLifecycleTests.Name, DisableParallelization = true)]
public sealed class ProcessLifecycleCollection;

/// <summary>
/// The AppHost as its own process, as <c>scripts/start.sh</c> runs it: it reports where the services are once they are
/// ready, and Ctrl+C stops everything it started — DCP, the dashboard, PostgreSQL, Prometheus and the services.
/// </summary>
[Collection(Name)]
public sealed class ProcessLifecycleTests
{
    public const string Name = "AppHost process";

    // The whole graph from a cold start on a machine the other tests are also loading.
    private static readonly TimeSpan StartWait = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task CtrlC_stops_every_process_the_apphost_started()
    {
        IsolatedHome.Ensure();
        var data = AppHostTesting.NewDataDirectory();
        var lines = new ConcurrentQueue<string>();
        using var apphost = Start(data, lines);
        var started = new List<int>();
        try
        {
            // Ready reports: the broker, the agent (after its identity was provisioned) and Prometheus.
            await Poll.UntilAsync(() => Task.FromResult(lines.ToList()),
                l => new[] { "broker", "agent", "prometheus" }.All(r => l.Any(line => line.StartsWith(r + " ", StringComparison.Ordinal) && line.EndsWith("(ready)", StringComparison.Ordinal))),
                StartWait, () => "broker, agent and prometheus reported ready:\n" + string.Join('\n', lines.TakeLast(40)));

            started.AddRange(Descendants(apphost.Id));
            var commands = started.Select(CommandLine).ToList();
            Assert.Contains(commands, c => c.Contains($"-D {Path.Combine(data, "postgres", "data")}", StringComparison.Ordinal));
            Assert.Contains(commands, c => c.Contains("Brokkr.Broker", StringComparison.Ordinal));
            Assert.Contains(commands, c => c.StartsWith("prometheus ", StringComparison.Ordinal));

            Assert.Equal(0, SendSignal(apphost.Id, SigInt));
            using (var exit = new CancellationTokenSource(StopWait))
            {
                await apphost.WaitForExitAsync(exit.Token);
            }

            Assert.Equal(0, apphost.ExitCode);
            await Poll.UntilAsync(() => Task.FromResult(started.Where(IsRunning).ToList()), running => running.Count == 0, StopWait,
                () => "every process the AppHost started has exited");
        }
        finally
        {
            foreach (var pid in started.Where(IsRunning))
            {
                SendSignal(pid, SigKill);
            }

            if (!apphost.HasExited)
            {
                apphost.Kill(entireProcessTree: true);
            }

            AppHostTesting.DeleteData(data);
        }
    }

    private static Process Start(string data, ConcurrentQueue<string> lines)
    {
        var start = new ProcessStartInfo(AppHostCommand.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
            Environment = { ["DOTNET_ENVIRONMENT"] = "Development", ["Logging__Console__FormatterName"] = "simple", ["Logging__Console__FormatterOptions__SingleLine"] = "true" },
        };
        foreach (var argument in new[]
                 {
                     $"--AppHost:DataDirectory={data}", "--AppHost:UseKubernetesStandIn=true", "--DcpPublisher:RandomizePorts=true",
                     $"--ASPNETCORE_URLS=http://localhost:{LoopbackPort.Free()}",
                     $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:{LoopbackPort.Free()}",
                     $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:{LoopbackPort.Free()}",
                     "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;

        // "info: Brokkr.AppHost[0] broker     http://localhost:3000 (ready)" -> "broker     http://localhost:3000 (ready)"
        void Add(string? line)
        {
            if (line is not null)
            {
                lines.Enqueue(line.Contains("] ", StringComparison.Ordinal) ? line[(line.IndexOf("] ", StringComparison.Ordinal) + 2)..] : line);
            }
        }
    }

    private const int SigInt = 2;
    private const int SigKill = 9;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>
    /// Every process the AppHost started: its children, DCP (which detaches, and names the process it serves in
    /// <c>--monitor &lt;pid&gt;</c>), and theirs, transitively.
    /// </summary>
    private static List<int> Descendants(int root)
    {
        var processes = Directory.GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .ToDictionary(pid => pid, pid => (Parent: ParentOf(pid), Command: CommandLine(pid)));
        var found = new HashSet<int> { root };
        bool grew;
        do
        {
            var next = processes.Where(p => !found.Contains(p.Key) &&
                                            (found.Contains(p.Value.Parent) || found.Any(f => p.Value.Command.Contains($"--monitor {f} ", StringComparison.Ordinal))))
                .Select(p => p.Key).ToList();
            found.UnionWith(next);
            grew = next.Count > 0;
        }
        while (grew);

        found.Remove(root);
        return [.. found];
    }

    private static bool IsRunning(int pid)
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
}
