using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Brokkr.Tests.Agent.Loop;

/// <summary>
/// The agent as production runs it: <c>dotnet Brokkr.Agent.dll</c> from the build output, configured only through
/// environment variables. Its /metrics holds its own meters alone. Output is captured for failure messages.
/// </summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AgentProcess(Process process) => _process = process;

    public int HealthPort { get; private init; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the agent with <paramref name="environment"/>; the health port is a free one unless given.</summary>
    public static AgentProcess Start(IReadOnlyDictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Brokkr.Agent.dll") },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The test host's own settings must not leak into the agent's configuration.
        foreach (var key in startInfo.Environment.Keys.Where(k => k.StartsWith("BROKKR", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("OTEL_", StringComparison.Ordinal)
                     || k.StartsWith("services__", StringComparison.Ordinal) || k == "KUBECONFIG").ToList())
        {
            startInfo.Environment.Remove(key);
        }

        var port = environment.TryGetValue("BROKKR__AGENT__HEALTH_PORT", out var configured) ? int.Parse(configured) : FreePort();
        startInfo.Environment["BROKKR__AGENT__HEALTH_PORT"] = port.ToString();
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var agent = new AgentProcess(process) { HealthPort = port };
        process.OutputDataReceived += (_, e) => agent.Append(e.Data);
        process.ErrorDataReceived += (_, e) => agent.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return agent;
    }

    public Uri HealthAddress => new($"http://127.0.0.1:{HealthPort}/");

    /// <summary>The exit code, once the process ends by itself within <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the agent did not exit within {timeout}; output:\n{Output}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
