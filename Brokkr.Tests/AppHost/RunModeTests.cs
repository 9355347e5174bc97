using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Infrastructure;
using Npgsql;

namespace Brokkr.Tests.AppHost;

/// <summary>The AppHost's PostgreSQL in run mode: a private cluster that keeps its data, or an existing server when given.</summary>
public sealed class RunModeTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task WithConnectionStringsBrokkr_TheBrokerUsesThatServer_AndNoLocalClusterIsCreated()
    {
        var (builder, data) = await AppHostTesting.CreateAsync([$"--ConnectionStrings:brokkr={database.ConnectionString}"]);
        try
        {
            Assert.DoesNotContain(builder.Resources, r => r.Name == "postgres");
            await using var app = await builder.WithOnly("brokkr", "broker").BuildAsync();
            await app.StartAsync();
            await app.WaitForHealthyAsync("broker");

            Assert.False(Directory.Exists(Path.Combine(data, "postgres")), "a local cluster was created anyway");
            // The broker migrated and bootstrapped the given database.
            Assert.Equal(1L, await ExecuteAsync(database.ConnectionString, "SELECT count(*) FROM admin_role"));
        }
        finally
        {
            AppHostTesting.DeleteData(data);
        }
    }

    [Fact]
    public async Task PostgresCluster_KeepsItsDataAndPasswordAcrossRestarts()
    {
        var data = AppHostTesting.NewDataDirectory();
        try
        {
            string firstConnectionString;
            await using (var first = await StartDatabaseAsync(data))
            {
                firstConnectionString = (await first.GetConnectionStringAsync("brokkr"))!;
                await ExecuteAsync(firstConnectionString, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('survives')");
                await first.StopAsync();
            }

            // The server was stopped, not killed: it removes its pid file on a clean shutdown.
            Assert.False(File.Exists(Path.Combine(data, "postgres", "data", "postmaster.pid")), "the server was not shut down cleanly");

            await using var second = await StartDatabaseAsync(data);
            var secondConnectionString = (await second.GetConnectionStringAsync("brokkr"))!;
            Assert.Equal(new NpgsqlConnectionStringBuilder(firstConnectionString).Password,
                new NpgsqlConnectionStringBuilder(secondConnectionString).Password);
            Assert.NotEqual(new NpgsqlConnectionStringBuilder(firstConnectionString).Port, new NpgsqlConnectionStringBuilder(secondConnectionString).Port);
            Assert.Equal("survives", await ExecuteAsync(secondConnectionString, "SELECT value FROM kept"));
        }
        finally
        {
            AppHostTesting.DeleteData(data);
        }
    }

    private static async Task<DistributedApplication> StartDatabaseAsync(string data)
    {
        var (builder, _) = await AppHostTesting.CreateAsync(dataDirectory: data);
        var app = await builder.WithOnly("postgres", "brokkr").BuildAsync();
        await app.StartAsync();
        await app.WaitForHealthyAsync("brokkr");
        return app;
    }

    private static async Task<object?> ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
