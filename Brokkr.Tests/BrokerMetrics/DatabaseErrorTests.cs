using Brokkr.Broker.Data;
using Brokkr.Tests.Broker;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Brokkr.Tests.BrokerMetrics;

/// <summary>
/// Commands that fail after EF reported them executed — a later statement of a batch, a row computed mid-stream —
/// are database errors too, counted once, through the broker's own DbContext and its interceptor.
/// </summary>
public sealed class DatabaseErrorTests(MeteredBroker broker) : IClassFixture<MeteredBroker>
{
    [Fact]
    public async Task A_batch_whose_second_statement_violates_a_constraint_is_one_failed_insert()
    {
        var generator = await new Fleet(broker).GeneratorAsync();
        var name = Fleet.Unique("dup");
        var before = Snapshot("insert");

        await using (var scope = broker.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
            // Four INSERT ... RETURNING statements in one command: the first returns its row, so the command counts as
            // executed before PostgreSQL reports that the second broke unique_stack_name.
            foreach (var stackName in new[] { name, name, Fleet.Unique("s"), Fleet.Unique("s") })
            {
                db.Stacks.Add(new Stack { Id = Guid.NewGuid(), Name = stackName, GeneratorId = generator.Id });
            }
            var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            Assert.Equal(PostgresErrorCodes.UniqueViolation, Assert.IsType<PostgresException>(error.InnerException).SqlState);
        }

        Assert.Equal((Queries: 1, Errors: 1), Delta(before, Snapshot("insert")));
    }

    [Fact]
    public async Task A_query_failing_after_its_first_rows_is_one_failed_select()
    {
        var before = Snapshot("select");
        await using (var scope = broker.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
            var error = await Assert.ThrowsAsync<PostgresException>(() => db.Database
                .SqlQueryRaw<int>("""SELECT CASE WHEN g < 3 THEN g ELSE 1 / (g - g) END AS "Value" FROM generate_series(1, 5) g""")
                .ToListAsync());
            Assert.Equal(PostgresErrorCodes.DivisionByZero, error.SqlState);
        }
        Assert.Equal((Queries: 1, Errors: 1), Delta(before, Snapshot("select")));
    }

    [Fact]
    public async Task A_later_statement_failing_when_the_reader_closes_is_one_failed_select()
    {
        var before = Snapshot("select");
        await using (var scope = broker.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
            // EF reads the first result set; closing the reader reads the second statement's, which fails.
            var error = await Assert.ThrowsAsync<PostgresException>(() => db.Database
                .SqlQueryRaw<int>("""SELECT 1 AS "Value"; SELECT 1 / 0""").ToListAsync());
            Assert.Equal(PostgresErrorCodes.DivisionByZero, error.SqlState);
        }
        Assert.Equal((Queries: 1, Errors: 1), Delta(before, Snapshot("select")));
    }

    [Fact]
    public async Task A_statement_failing_at_once_is_counted_once()
    {
        var agent = await new Fleet(broker).AgentAsync();
        var label = new { agent_id = agent.Id, label = "edge" };
        await broker.Client().Send("POST", $"/agents/{agent.Id}/labels", label).Expect(201);
        var before = Snapshot("insert");
        await broker.Client().Send("POST", $"/agents/{agent.Id}/labels", label).ExpectError(409, "unique_violation");
        Assert.Equal((Queries: 1, Errors: 1), Delta(before, Snapshot("insert")));
    }

    private (int Queries, int Errors) Snapshot(string operation) =>
        ((int)broker.Metrics.Sum("brokkr_database_queries_total", ("operation", operation)),
         (int)broker.Metrics.Sum("brokkr_database_errors_total", ("operation", operation)));

    private static (int Queries, int Errors) Delta((int Queries, int Errors) before, (int Queries, int Errors) after) =>
        (after.Queries - before.Queries, after.Errors - before.Errors);
}
