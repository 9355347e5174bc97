using System.Text.Json;
using System.Text.Json.Nodes;
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
            byte[] identity;
            await using (var first = AppHostProcess.Start(data))
            {
                var urls = await first.WaitUntilReadyAsync();
                Assert.Equal(["agent", "broker", "kubernetes", "postgres", "prometheus"], urls.Keys.Order());
                Assert.Contains(first.Lines, line => Regex.IsMatch(line, @"^broker\s+\| .*Now listening on"));
                Assert.Contains(first.Lines, line => Regex.IsMatch(line, @"^postgres\s+\| .*ready to accept connections"));
                agentId = await LocalAgentAsync(urls["broker"]);
                identity = await File.ReadAllBytesAsync(IdentityFile(data));
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
            // Reused, not replaced: recreating the agent keeps its id but rotates its PAK (AgentIdentity), so the stored
            // file must be untouched and the first run's PAK must still be the agent's.
            Assert.Equal(identity, await File.ReadAllBytesAsync(IdentityFile(data)));
            var pak = (string)JsonNode.Parse(identity)!["pak"]!;
            Assert.Equal(agentId, await PakOwnerAsync(secondUrls["broker"], pak));
            await AssertARotationWouldShowAsync(secondUrls["broker"], agentId, pak);

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

    private static string IdentityFile(string data) => Path.Combine(data, "agent", "identity.json");

    /// <summary>Whom the broker takes <paramref name="pak"/> for (spec §4.1 POST /auth/pak), or null when it refuses it.</summary>
    private static async Task<Guid?> PakOwnerAsync(Uri broker, string pak)
    {
        using var client = new HttpClient { BaseAddress = broker };
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + pak);
        using var response = await client.Send("POST", "/auth/pak");
        return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Id("agent") : null;
    }

    /// <summary>The check above can fail: once the agent's PAK is rotated, the old one is refused.</summary>
    private static async Task AssertARotationWouldShowAsync(Uri broker, Guid agentId, string pak)
    {
        using var admin = new HttpClient { BaseAddress = broker };
        admin.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + BrokerHost.DevAdminPak);
        await admin.Send("POST", $"/agents/{agentId}/rotate-pak").Expect(200);
        Assert.Null(await PakOwnerAsync(broker, pak));
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
