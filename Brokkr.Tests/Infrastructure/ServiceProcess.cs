using System.Collections.Concurrent;
using System.Diagnostics;

namespace Brokkr.Tests.Infrastructure;

/// <summary>
/// A Brokkr service (or any ASP.NET Core app built into the test output) running as a child process:
/// <c>dotnet &lt;App&gt;.dll --urls http://127.0.0.1:&lt;free port&gt;</c> with the given environment. Use it when a test
/// needs the process to itself — exact metric values, since meters are process-wide — or a real exit code.
/// Start waits until <c>readyPath</c> answers 200; Dispose stops it with SIGTERM (then SIGKILL after 10 s).
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private const int MaxOutputLines = 400;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    /// <summary>The last lines the process wrote to stdout and stderr, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <param name="application">Assembly name in the test output folder, e.g. "Brokkr.Broker".</param>
    /// <param name="environment">Variables added to (or, when null, removed from) the inherited environment.</param>
    /// <param name="directory">The folder holding the application (and its working directory); default: the test output.</param>
    /// <param name="arguments">Arguments before <c>--urls</c>, e.g. a subcommand.</param>
    public static async Task<ServiceProcess> StartAsync(string application, IReadOnlyDictionary<string, string?> environment,
        string readyPath = "/healthz", TimeSpan? startupTimeout = null, string? directory = null, IReadOnlyList<string>? arguments = null)
    {
        directory ??= AppContext.BaseDirectory;
        var dll = Path.Combine(directory, application + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is missing from the build output", dll);
        }
        // A port found free can be taken by another process before the service binds it: try again with another.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnFreePortAsync(dll, directory, environment, readyPath, startupTimeout ?? TimeSpan.FromSeconds(60), arguments ?? []);
            }
            catch (PortTakenException) when (attempt < 3)
            {
            }
        }
    }

    private static async Task<ServiceProcess> StartOnFreePortAsync(string dll, string directory,
        IReadOnlyDictionary<string, string?> environment, string readyPath, TimeSpan startupTimeout, IReadOnlyList<string> arguments)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(dll);
        foreach (var argument in arguments.Append("--urls").Append(baseAddress.ToString().TrimEnd('/')))
        {
            startInfo.ArgumentList.Add(argument);
        }
        // The test host's own settings must not leak into the service.
        startInfo.Environment.Remove("ASPNETCORE_URLS");
        startInfo.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start dotnet");
        var service = new ServiceProcess(process, baseAddress);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await service.WaitUntilReadyAsync(readyPath, startupTimeout);
        }
        catch (Exception e)
        {
            await service.DisposeAsync();
            if (service.Output.Contains("address already in use", StringComparison.Ordinal))
            {
                throw new PortTakenException(e);
            }
            throw;
        }
        return service;
    }

    private sealed class PortTakenException(Exception inner) : Exception("the service's port was taken", inner);

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    /// <summary>SIGKILL, as the OOM killer or a node failure would: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM lets the host shut down cleanly (hosted services stop, files are removed).
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
            {
                await term.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(string readyPath, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the service exited with {_process.ExitCode} before it was ready:\n{Output}");
            }
            try
            {
                using var response = await client.GetAsync(readyPath);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too busy starting to answer within the attempt's timeout.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the service was not ready within {timeout}:\n{Output}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > MaxOutputLines && _output.TryDequeue(out _))
        {
        }
    }
}
