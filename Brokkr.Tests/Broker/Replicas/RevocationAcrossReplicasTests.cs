using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Infrastructure;

namespace Brokkr.Tests.Broker.Replicas;

/// <summary>
/// Spec §2.7: the old PAK fails immediately — on every replica, not only the one that rotated it. The auth cache TTL
/// is ten minutes here, so a replica that only waited for its entry to expire would fail these tests.
/// </summary>
public sealed class RevocationAcrossReplicasTests : IAsyncLifetime
{
    private static readonly TimeSpan Immediately = TimeSpan.FromSeconds(10);
    private static readonly Dictionary<string, string?> LongCache = new()
    {
        ["BROKKR__BROKER__AUTH_CACHE_TTL_SECONDS"] = "600",
        ["Logging__LogLevel__Brokkr.Broker.Data.NotificationListener"] = "Information",
    };

    private readonly PostgresDatabaseFixture _database = new();
    private BrokerReplica _a = null!;
    private BrokerReplica _b = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _a = await BrokerReplica.StartAsync(_database.ConnectionString, LongCache);
        _b = await BrokerReplica.StartAsync(_database.ConnectionString, LongCache);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task An_agent_PAK_rotated_on_one_replica_is_refused_by_the_other()
    {
        var agent = await new Fleet(_a).AgentAsync();
        await _b.Client(agent.Pak).Send("GET", $"/agents/{agent.Id}/target-state").Expect(200); // now cached on B

        var rotated = await _a.Client(agent.Pak).Send("POST", $"/agents/{agent.Id}/rotate-pak").Expect(200);

        await RefusedAsync(_b, agent.Pak, $"/agents/{agent.Id}/target-state");
        await _b.Client(rotated.Str("pak")).Send("GET", $"/agents/{agent.Id}/target-state").Expect(200);
    }

    [Fact]
    public async Task A_deleted_agents_PAK_is_refused_by_the_other_replica()
    {
        var agent = await new Fleet(_a).AgentAsync();
        await _b.Client(agent.Pak).Send("POST", $"/agents/{agent.Id}/heartbeat", new { k8s_reachable = true }).Expect(204);

        await _a.Client().Send("DELETE", $"/agents/{agent.Id}").Expect(204);

        await RefusedAsync(_b, agent.Pak, $"/agents/{agent.Id}/target-state");
    }

    [Fact]
    public async Task A_generator_PAK_rotated_on_one_replica_is_refused_by_the_other()
    {
        var generator = await new Fleet(_a).GeneratorAsync();
        await _b.Client(generator.Pak).Send("GET", $"/generators/{generator.Id}").Expect(200);

        await _a.Client(generator.Pak).Send("POST", $"/generators/{generator.Id}/rotate-pak").Expect(201);

        await RefusedAsync(_b, generator.Pak, $"/generators/{generator.Id}");
    }

    [Fact]
    public async Task A_replica_that_lost_its_revocation_listener_stops_trusting_its_cache_and_reconnects()
    {
        var agent = await new Fleet(_a).AgentAsync();
        await _b.Client(agent.Pak).Send("GET", $"/agents/{agent.Id}/target-state").Expect(200);

        // Cut every replica's listening connection, as a PostgreSQL restart or a network fault would: a revocation
        // published now reaches no listener.
        Assert.Equal(2, await ReplicaListeners.TerminateAsync(_database.ConnectionString));
        await _a.Client(agent.Pak).Send("POST", $"/agents/{agent.Id}/rotate-pak").Expect(200);

        await RefusedAsync(_b, agent.Pak, $"/agents/{agent.Id}/target-state");
        await Poll.UntilAsync(() => Task.FromResult(_b.Service.Output), output => output.Contains("Listening for database notifications again", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "replica B did not reconnect its revocation listener");
        Assert.Contains("Lost the database notification listener", _b.Service.Output, StringComparison.Ordinal);
    }

    private static async Task RefusedAsync(BrokerReplica replica, string pak, string path) =>
        await Poll.UntilAsync(async () =>
            {
                using var response = await replica.Client(pak).Send("GET", path);
                return (int)response.StatusCode;
            },
            status => status == 401, Immediately, $"the old PAK was still accepted on the other replica ({path})");
}
