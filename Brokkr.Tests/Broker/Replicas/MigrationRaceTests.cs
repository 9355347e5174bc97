using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Infrastructure;
using Npgsql;

namespace Brokkr.Tests.Broker.Replicas;

/// <summary>Brokers starting together on a new database apply the migrations once; none fails.</summary>
public sealed class MigrationRaceTests
{
    // The broker's migration lock key ("brokkrMG"); the test takes it to stand in for a broker mid-migration.
    private const long MigrationLockKey = 0x62726F6B6B724D47;

    [Fact]
    public async Task A_broker_waits_for_another_brokers_whole_migration_run()
    {
        var database = new PostgresDatabaseFixture();
        await database.InitializeAsync();
        await using var cleanup = new AsyncCleanup(database.DisposeAsync);
        await using var holder = new NpgsqlConnection(database.ConnectionString);
        await holder.OpenAsync();
        await Execute(holder, $"SELECT pg_advisory_lock({MigrationLockKey})");

        var starting = BrokerReplica.StartAsync(database.ConnectionString);
        try
        {
            // The broker is blocked on the lock, not merely slow: PostgreSQL shows its lock request waiting.
            await Poll.UntilAsync(() => Scalar<long>(holder,
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
                waiting => waiting == 1, TimeSpan.FromSeconds(60), "the broker never asked for the migration lock");
            Assert.False(starting.IsCompleted);
            Assert.Null(await Scalar<string?>(holder, "SELECT to_regclass('\"__EFMigrationsHistory\"')::text"));

            await Execute(holder, $"SELECT pg_advisory_unlock({MigrationLockKey})");
            var broker = await starting;

            Assert.True(await Scalar<long>(holder, "SELECT count(*) FROM \"__EFMigrationsHistory\"") > 0);
            await broker.Client().Send("POST", "/auth/pak").Expect(200);
        }
        finally
        {
            await Execute(holder, $"SELECT pg_advisory_unlock_all()");
            if (starting.IsCompletedSuccessfully)
            {
                await (await starting).DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Three_brokers_starting_at_once_on_a_new_database_all_become_ready()
    {
        for (var round = 0; round < 2; round++)
        {
            var database = new PostgresDatabaseFixture();
            await database.InitializeAsync();
            await using var cleanup = new AsyncCleanup(database.DisposeAsync);

            var starts = Enumerable.Range(0, 3).Select(_ => BrokerReplica.StartAsync(database.ConnectionString)).ToList();
            try
            {
                await Task.WhenAll(starts);
                foreach (var start in starts)
                {
                    await (await start).Client().Send("POST", "/auth/pak").Expect(200);
                }
                await using var connection = new NpgsqlConnection(database.ConnectionString);
                await connection.OpenAsync();
                // One admin bootstrap, one system generator: the first-run work also ran once.
                Assert.Equal(1L, await Scalar<long>(connection, "SELECT count(*) FROM app_initialization"));
                Assert.Equal(1L, await Scalar<long>(connection, "SELECT count(*) FROM generators WHERE is_system AND deleted_at IS NULL"));
            }
            finally
            {
                foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
                {
                    await (await start).DisposeAsync();
                }
            }
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull or null ? default! : (T)value;
    }

    private sealed class AsyncCleanup(Func<Task> cleanup) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await cleanup();
    }
}
