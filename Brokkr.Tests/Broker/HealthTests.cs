using System.Diagnostics;
using System.Net;
using Brokkr.Tests.Infrastructure;
using Npgsql;

namespace Brokkr.Tests.Broker;

/// <summary>Probe endpoints (spec §6): liveness never touches the database, readiness follows it.</summary>
public sealed class HealthTests(HealthTests.UnreliableDatabaseBroker broker) : IClassFixture<HealthTests.UnreliableDatabaseBroker>
{
    /// <summary>A broker that reaches its database through a <see cref="TcpForwarder"/> the test can cut.</summary>
    public sealed class UnreliableDatabaseBroker : BrokerHost
    {
        public TcpForwarder Relay { get; private set; } = null!;

        // Read by the base class once the database exists.
        protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["ConnectionStrings:brokkr"] = new NpgsqlConnectionStringBuilder(ConnectionString) { Port = Relay.Port, Pooling = true }.ConnectionString,
        };

        public override async Task InitializeAsync()
        {
            Relay = new TcpForwarder((await PostgresCluster.SharedAsync()).Port);
            await base.InitializeAsync();
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            Relay.Dispose();
        }
    }

    [Theory]
    [InlineData("/healthz", "OK")]
    [InlineData("/readyz", "Ready")]
    public async Task Probes_answer_200_with_upstreams_words(string path, string body)
    {
        using var client = new HttpClient { BaseAddress = broker.BaseAddress };
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task Aspire_health_endpoints_answer_without_a_PAK(string path)
    {
        using var client = new HttpClient { BaseAddress = broker.BaseAddress };
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readiness_turns_503_while_the_database_is_unreachable_and_recovers()
    {
        using var client = new HttpClient { BaseAddress = broker.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);

        broker.Relay.Cut();
        try
        {
            var down = await PollAsync(client, "/readyz", HttpStatusCode.ServiceUnavailable);
            Assert.Equal("database unavailable", down);
            // Liveness does not depend on the database: Kubernetes must not restart a broker for a database outage.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
            // A PAK that cannot be checked is a bare 500 (spec §2.3), not a 401 that would make agents drop their key.
            using var unverifiable = await broker.Client($"brokkr_BRoutage1_{Guid.NewGuid():N}").Send("GET", "/generators");
            Assert.Equal(HttpStatusCode.InternalServerError, unverifiable.StatusCode);
            Assert.Empty(await unverifiable.Content.ReadAsByteArrayAsync());
        }
        finally
        {
            broker.Relay.Open();
        }

        Assert.Equal("Ready", await PollAsync(client, "/readyz", HttpStatusCode.OK));
        await broker.Client().Send("GET", "/generators").Expect(200);
    }

    private static async Task<string> PollAsync(HttpClient client, string path, HttpStatusCode wanted)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await client.GetAsync(path);
            if (response.StatusCode == wanted)
            {
                return await response.Content.ReadAsStringAsync();
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"{path} still {(int)response.StatusCode} after 15 s");
            await Task.Delay(100);
        }
    }
}
