using System.Diagnostics;
using Brokkr.Tests.AppHost.Testing;
using System.Net;
using Brokkr.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Brokkr.Tests.Broker;

/// <summary>Probe endpoints (spec §6): liveness never touches the database, readiness follows it.</summary>
public sealed class HealthTests(HealthTests.UnreliableDatabaseBroker broker) : IClassFixture<HealthTests.UnreliableDatabaseBroker>
{
    /// <summary>A broker that reaches its database through a <see cref="TcpForwarder"/> the test can cut.</summary>
    public sealed class UnreliableDatabaseBroker : LogCapturingBrokerHost
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
            // A PAK that cannot be checked, and a request whose handler cannot reach the database, both get a 503 to
            // retry after — not a 401 that would make agents drop their key, nor an empty 500 that says nothing.
            for (var i = 0; i < 20; i++)
            {
                await ExpectUnavailableAsync(broker.Client($"brokkr_BRoutage1_{Guid.NewGuid():N}"));
                await ExpectUnavailableAsync(broker.Client());
            }
        }
        finally
        {
            broker.Relay.Open();
        }

        Assert.Equal("Ready", await PollAsync(client, "/readyz", HttpStatusCode.OK));
        await broker.Client().Send("GET", "/generators").Expect(200);
        await Poll.UntilAsync(() => Task.FromResult(broker.Lines.ToArray()), lines => lines.Any(l => l.Contains("reachable again", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(15), "the end of the outage was not logged");

        // One line when the outage began, one when it ended, one readiness change: not one per failed request.
        var lines = broker.Lines.ToArray();
        Assert.Single(lines, l => l.Contains("The database is unavailable (", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("Not ready: the database check failed (", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("Unhandled error", StringComparison.Ordinal) || l.Contains("Could not authenticate", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(" Error: ", StringComparison.Ordinal) && !l.Contains("The database is unavailable (", StringComparison.Ordinal));
    }

    private static async Task ExpectUnavailableAsync(HttpClient client)
    {
        using var response = await client.Send("GET", "/generators");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        await Task.FromResult(response).ExpectError(503, "database_unavailable");
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
