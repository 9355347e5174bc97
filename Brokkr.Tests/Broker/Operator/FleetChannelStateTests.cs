using System.Text.Json;
using Brokkr.Tests.Broker.Replicas;
using Brokkr.Tests.Channel;
using Brokkr.Tests.Infrastructure;

namespace Brokkr.Tests.Broker.Operator;

/// <summary>
/// The fleet view's channel state across replicas: an agent's WebSocket open on one replica shows as connected in the
/// fleet view read on another, shows as disconnected once it closes, and once the replica holding it dies outright
/// (SIGKILL, no shutdown code) within that replica's presence lease.
/// </summary>
public sealed class FleetChannelStateTests : IAsyncLifetime
{
    private const int LeaseSeconds = 3;
    private static readonly Dictionary<string, string?> ShortLease = new()
    {
        ["BROKKR__BROKER__CHANNEL_PRESENCE_LEASE_SECONDS"] = LeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private readonly PostgresDatabaseFixture _database = new();
    private BrokerReplica _reader = null!;
    private BrokerReplica _holder = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _reader = await BrokerReplica.StartAsync(_database.ConnectionString, ShortLease);
        _holder = await BrokerReplica.StartAsync(_database.ConnectionString, ShortLease);
    }

    public async Task DisposeAsync()
    {
        await _reader.DisposeAsync();
        await _holder.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_channel_on_one_replica_shows_in_the_fleet_view_of_another_until_it_closes()
    {
        var fleet = new Fleet(_reader);
        var agent = await fleet.AgentAsync();
        var bystander = await fleet.AgentAsync();
        var before = DateTime.UtcNow.AddSeconds(-5);
        var record = await RecordAsync(agent.Id, r => !r.GetProperty("ws_connected").GetBoolean());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("connected_since").ValueKind);

        await using (var channel = await ChannelClient.ConnectAsync(_holder.Service.BaseAddress, agent.Pak))
        {
            record = await RecordAsync(agent.Id, r => r.GetProperty("ws_connected").GetBoolean());
            Assert.InRange(record.GetProperty("connected_since").GetDateTime().ToUniversalTime(), before, DateTime.UtcNow.AddSeconds(5));
            Assert.False((await RecordAsync(bystander.Id, _ => true)).GetProperty("ws_connected").GetBoolean());
            // The per-agent view reads the same record.
            var status = await _reader.Client().Send("GET", $"/agents/{agent.Id}/fleet-status").Expect(200);
            Assert.True(status.GetProperty("record").GetProperty("ws_connected").GetBoolean());
        }

        record = await RecordAsync(agent.Id, r => !r.GetProperty("ws_connected").GetBoolean());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("connected_since").ValueKind);
    }

    [Fact]
    public async Task A_killed_replicas_channels_stop_counting_within_its_lease()
    {
        var agent = await new Fleet(_reader).AgentAsync();
        await using var channel = await ChannelClient.ConnectAsync(_holder.Service.BaseAddress, agent.Pak);
        await RecordAsync(agent.Id, r => r.GetProperty("ws_connected").GetBoolean());

        // No shutdown code runs: the holder's rows stay until the lease it can no longer renew runs out.
        await _holder.Service.KillAsync();

        await RecordAsync(agent.Id, r => !r.GetProperty("ws_connected").GetBoolean(), TimeSpan.FromSeconds(LeaseSeconds + 10));
    }

    /// <summary>Polls the reader's fleet view until the agent's record satisfies <paramref name="until"/>.</summary>
    private async Task<JsonElement> RecordAsync(Guid agentId, Func<JsonElement, bool> until, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var record = (await _reader.Client().Send("GET", "/fleet").Expect(200)).EnumerateArray().Single(r => r.Id("agent_id") == agentId);
            if (until(record))
            {
                return record;
            }
            Assert.True(DateTime.UtcNow < deadline, "the fleet record never reached the expected channel state: " + record);
            await Task.Delay(50);
        }
    }
}
