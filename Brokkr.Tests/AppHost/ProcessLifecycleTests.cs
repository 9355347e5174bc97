using System.Text.RegularExpressions;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.AppHost;

/// <summary>
/// The AppHost as its own process, as a user runs it: the report of where to look, prefixed logs, surviving a hard kill
/// (the next start stops what was left and keeps the agent), and Ctrl+C stopping everything with no process left behind.
/// </summary>
public sealed class ProcessLifecycleTests
{
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task KilledAppHost_NextStartStopsItsLeftovers_ReusesTheAgent_AndCtrlCStopsEverything()
    {
        var data = Path.Combine(Path.GetTempPath(), "brokkr-apphost-process-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            // First run: everything comes up, then the AppHost dies without stopping anything.
            IReadOnlyDictionary<int, string> leftovers;
            Guid agentId;
            await using (var first = AppHostProcess.Start(data))
            {
                var urls = await first.WaitUntilReadyAsync();
                Assert.Equal(["agent", "broker", "kubernetes", "postgres", "prometheus"], urls.Keys.Order());
                Assert.Contains(first.Lines, line => Regex.IsMatch(line, @"^broker\s+\| .*Now listening on"));
                Assert.Contains(first.Lines, line => Regex.IsMatch(line, @"^postgres\s+\| .*ready to accept connections"));
                agentId = await LocalAgentAsync(urls["broker"]);
                leftovers = first.ResourceProcesses(data);
                first.KillAppHostOnly();
                await first.WaitForExitAsync(StopWait);
            }

            var broker = Assert.Single(leftovers, p => p.Value.Contains("Brokkr.Broker.dll", StringComparison.Ordinal)).Key;
            var postgres = Assert.Single(leftovers, p => p.Value.Contains("postgres -D", StringComparison.Ordinal)).Key;
            Assert.True(AppHostProcess.IsRunning(broker) && AppHostProcess.IsRunning(postgres), "nothing was left running to clean up");

            // Second run: what the first left is stopped, the agent's identity is reused; Ctrl+C stops it all.
            await using var second = AppHostProcess.Start(data);
            var secondUrls = await second.WaitUntilReadyAsync();
            Assert.All(leftovers, p => Assert.False(AppHostProcess.IsRunning(p.Key), $"left running: {p.Key} {p.Value}"));
            Assert.Equal(agentId, await LocalAgentAsync(secondUrls["broker"]));

            var running = second.ResourceProcesses(data);
            Assert.Equal(5, running.Count); // broker, agent, stand-in and Prometheus as children, and PostgreSQL's server
            second.Signal(AppHostProcess.SigInt);
            Assert.Equal(0, await second.WaitForExitAsync(StopWait));
            Assert.All(running, p => Assert.False(AppHostProcess.IsRunning(p.Key), $"left running: {p.Key} {p.Value}"));
            Assert.False(File.Exists(Path.Combine(data, "postgres", "data", "postmaster.pid")), "PostgreSQL was not stopped with pg_ctl");
            Assert.Contains(second.Lines, line => Regex.IsMatch(line, @"^postgres\s+\| .*database system is shut down"));
        }
        finally
        {
            await StopPostgresIfRunningAsync(data);
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    /// <summary>A failed run must not leave its PostgreSQL server behind.</summary>
    private static async Task StopPostgresIfRunningAsync(string data)
    {
        var cluster = Path.Combine(data, "postgres", "data");
        if (File.Exists(Path.Combine(cluster, "postmaster.pid")) && Brokkr.AppHost.Hosting.PostgresBinaries.Locate() is { } binaries)
        {
            await Infrastructure.ProcessRunner.RunAsync(binaries.PgCtl, ["-D", cluster, "-m", "immediate", "stop"],
                Infrastructure.ProcessRunner.IsRoot ? "postgres" : null);
        }
    }

    /// <summary>The one agent the broker knows: the AppHost's local agent.</summary>
    private static async Task<Guid> LocalAgentAsync(Uri broker)
    {
        using var admin = new HttpClient { BaseAddress = broker };
        admin.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + BrokerHost.DevAdminPak);
        var agents = await admin.Send("GET", "/agents").Expect(200);
        var agent = Assert.Single(agents.EnumerateArray());
        Assert.Equal("local-agent", agent.Str("name"));
        return agent.Id();
    }
}
