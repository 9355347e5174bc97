using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.Tests.Broker;

/// <summary>
/// The broker's decided retry policy (BrokerApp): EF Core does not retry, so explicit transactions work and nothing
/// is replayed; a transient database failure is a 503 the client may retry, and the broker recovers by itself.
/// </summary>
public sealed class TransientDatabaseFailureTests(HealthTests.UnreliableDatabaseBroker broker) : IClassFixture<HealthTests.UnreliableDatabaseBroker>
{
    [Fact]
    public void The_execution_strategy_does_not_retry()
    {
        using var scope = broker.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();

        Assert.False(db.Database.CreateExecutionStrategy().RetriesOnFailure);
    }

    [Fact]
    public async Task A_write_during_a_database_outage_is_a_503_and_is_applied_once_when_retried()
    {
        var client = broker.Client();
        // Authenticates the admin PAK now, so the request below reaches the database in its handler (the PAK is cached).
        await client.Send("GET", "/generators").Expect(200);
        var name = "transient-" + Guid.NewGuid().ToString("N")[..8];

        broker.Relay.Cut();
        try
        {
            await client.Send("POST", "/generators", new { name }).ExpectError(503, "database_unavailable");
        }
        finally
        {
            broker.Relay.Open();
        }

        await client.Send("POST", "/generators", new { name }).Expect(201);
        var generators = await client.Send("GET", "/generators").Expect(200);
        Assert.Single(generators.EnumerateArray(), g => g.Str("name") == name);
    }
}
