using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Brokkr.Tests.Operations;

/// <summary>
/// A real Prometheus server for one test class: the machine's binary on a free loopback port, with a scrape-less
/// configuration and a temporary storage folder, stopped and deleted when the class is done. Used to evaluate PromQL
/// exactly as Grafana would send it.
/// </summary>
public sealed class PrometheusServer : IAsyncLifetime
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"brokkr-test-prometheus-{Guid.NewGuid():N}");
    private readonly System.Text.StringBuilder _log = new();
    private Process? _process;

    public HttpClient Client { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        var binary = RequiredTool.Prometheus;
        Directory.CreateDirectory(_root);
        var config = Path.Combine(_root, "prometheus.yml");
        await File.WriteAllTextAsync(config, "global:\n  evaluation_interval: 1m\n");

        // A port found free can be taken before Prometheus binds it: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            _process = Start(binary, config, port);
            Client.BaseAddress = new Uri($"http://127.0.0.1:{port}/");
            if (await WaitUntilReadyAsync(_process))
            {
                return;
            }

            var output = await StopAsync(_process);
            _process = null;
            if (attempt == 3)
            {
                throw new InvalidOperationException($"prometheus did not become ready on 127.0.0.1:{port}: {output}");
            }
        }
    }

    /// <summary>Evaluates <paramref name="expression"/> now; returns Prometheus' JSON answer whatever its status.</summary>
    public async Task<(HttpStatusCode Status, JsonObject Body)> QueryAsync(string expression)
    {
        using var response = await Client.PostAsync("api/v1/query",
            new FormUrlEncodedContent([new KeyValuePair<string, string>("query", expression)]));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        return (response.StatusCode, body);
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await StopAsync(_process);
        }

        Client.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private Process Start(string binary, string config, int port)
    {
        var startInfo = new ProcessStartInfo(binary)
        {
            ArgumentList =
            {
                $"--config.file={config}",
                $"--storage.tsdb.path={Path.Combine(_root, "data")}",
                $"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {binary}");
        // Drain both pipes so a chatty server never blocks on a full one; keep the log for failure messages.
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task<bool> WaitUntilReadyAsync(Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyTimeout && !process.HasExited)
        {
            try
            {
                using var response = await Client.GetAsync("-/ready");
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        return false;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private async Task<string> StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
        lock (_log)
        {
            return _log.ToString();
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
