using System.Collections.Concurrent;
using System.Net;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Broker.Replicas;
using Brokkr.Tests.Infrastructure;
using Npgsql;

namespace Brokkr.Tests.Faults;

/// <summary>
/// The fault probe's guarantees, kept: with PostgreSQL crashing and coming back under a steady writer, and with the
/// broker killed mid-write, no acknowledged write is lost, no write is half-present, and no request gets a 500
/// (503 with Retry-After is the honest answer during the outage). Each test has a PostgreSQL cluster of its own.
/// </summary>
public sealed class FaultSuiteTests
{
    [Fact]
    public async Task PostgreSQL_crashing_and_restarting_under_a_steady_writer_loses_nothing_and_answers_no_500()
    {
        await using var cluster = await PostgresCluster.StartPrivateAsync();
        var connection = cluster.ConnectionStringFor(await cluster.CreateDatabaseAsync());
        await using var broker = await BrokerReplica.StartAsync(connection);
        var generator = await new Fleet(broker).GeneratorAsync();
        var writer = new Writer(broker, generator.Id);

        using var stop = new CancellationTokenSource();
        var writing = writer.RunAsync(stop.Token);
        await writer.UntilAcknowledgedAsync(20);
        await cluster.CrashAsync();
        await Poll.UntilAsync(() => Task.FromResult(writer.Unavailable), n => n >= 3, TimeSpan.FromSeconds(60), "no 503 while PostgreSQL was down");
        await cluster.StartAgainAsync();
        var acknowledgedBeforeRecovery = writer.Acknowledged.Count;
        await writer.UntilAcknowledgedAsync(acknowledgedBeforeRecovery + 20);
        await stop.CancelAsync();
        await writing;

        Assert.Empty(writer.Unexpected);
        await AssertStoredWholeAsync(connection, writer);
    }

    [Fact]
    public async Task A_broker_killed_mid_write_loses_no_acknowledged_write_and_restarts_on_the_same_database()
    {
        await using var cluster = await PostgresCluster.StartPrivateAsync();
        var connection = cluster.ConnectionStringFor(await cluster.CreateDatabaseAsync());
        var broker = await BrokerReplica.StartAsync(connection);
        var generator = await new Fleet(broker).GeneratorAsync();
        var writer = new Writer(broker, generator.Id);

        using (var stop = new CancellationTokenSource())
        {
            var writing = writer.RunAsync(stop.Token, toleratesDisconnects: true);
            await writer.UntilAcknowledgedAsync(20);
            await broker.Service.KillAsync();
            await stop.CancelAsync();
            await writing;
        }
        await broker.DisposeAsync();

        // The schema is complete and migrating again is a no-op: the new broker starts and serves on the same data.
        await using var restarted = await BrokerReplica.StartAsync(connection);
        var after = new Writer(restarted, generator.Id);
        using (var stop = new CancellationTokenSource())
        {
            var writing = after.RunAsync(stop.Token);
            await after.UntilAcknowledgedAsync(5);
            await stop.CancelAsync();
            await writing;
        }

        Assert.Empty(writer.Unexpected);
        Assert.Empty(after.Unexpected);
        await AssertStoredWholeAsync(connection, writer);
        await AssertStoredWholeAsync(connection, after);
    }

    /// <summary>
    /// Every acknowledged agent is stored, and every stored agent is whole: created with its registrations (its
    /// generator's and the system generator's) in one transaction, an agent without them would be half-written.
    /// </summary>
    private static async Task AssertStoredWholeAsync(string connectionString, Writer writer)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT a.name, count(r.id) FROM agents a LEFT JOIN agent_generator_registrations r ON r.agent_id = a.id
            WHERE a.name LIKE 'fault-%' GROUP BY a.name
            """, connection);
        var stored = new Dictionary<string, long>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        var lost = writer.Acknowledged.Where(name => !stored.ContainsKey(name)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {writer.Acknowledged.Count} acknowledged writes are missing");
        var halves = stored.Where(s => s.Value != 2).Select(s => $"{s.Key}: {s.Value} registrations").ToList();
        Assert.True(halves.Count == 0, "half-written agents:\n" + string.Join('\n', halves));
        Assert.NotEmpty(writer.Acknowledged);
    }

    /// <summary>Creates agents one after another as fast as the broker answers, sorting the answers.</summary>
    private sealed class Writer(BrokerReplica broker, Guid generatorId)
    {
        public ConcurrentBag<string> Acknowledged { get; } = [];
        public ConcurrentBag<string> Unexpected { get; } = [];
        public int Unavailable => _unavailable;

        private int _unavailable;

        public async Task RunAsync(CancellationToken stop, bool toleratesDisconnects = false)
        {
            var admin = broker.Client();
            while (!stop.IsCancellationRequested)
            {
                var name = $"fault-{Guid.NewGuid():N}";
                try
                {
                    using var response = await admin.Send("POST", "/agents", new { name, cluster_name = "faults", generator_ids = new[] { generatorId } });
                    switch (response.StatusCode)
                    {
                        case HttpStatusCode.Created:
                            Acknowledged.Add(name);
                            break;
                        case HttpStatusCode.ServiceUnavailable when response.Headers.RetryAfter is not null:
                            Interlocked.Increment(ref _unavailable);
                            await Task.Delay(50, CancellationToken.None);
                            break;
                        default:
                            Unexpected.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                            break;
                    }
                }
                catch (HttpRequestException) when (toleratesDisconnects)
                {
                    return; // the broker was killed: this request's fate is unknown, and it was not acknowledged
                }
            }
        }

        public Task UntilAcknowledgedAsync(int count) =>
            Poll.UntilAsync(() => Task.FromResult(Acknowledged.Count), n => n >= count || !Unexpected.IsEmpty, TimeSpan.FromSeconds(120),
                $"fewer than {count} acknowledged writes");
    }
}
