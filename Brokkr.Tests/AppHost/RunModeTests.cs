using Brokkr.AppHost.Hosting;
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
        var builder = (await DistributedApplicationTestingBuilder.CreateAsync<Projects.Brokkr_AppHost>([$"--ConnectionStrings:brokkr={database.ConnectionString}"]))
            .WithOnly("postgres", "brokkr", "broker");
        var dataDirectory = builder.DataDirectory;
        await using var app = await builder.BuildAsync();
        await app.StartAsync();
        await app.WaitForResourceHealthyAsync("broker");

        var postgres = app.ResourceNotifications.Get("postgres");
        Assert.Equal(KnownResourceStates.Skipped, postgres.State);
        Assert.Contains("ConnectionStrings__brokkr", postgres.Message);
        Assert.False(Directory.Exists(Path.Combine(dataDirectory, "postgres")), "a local cluster was created anyway");
        // The broker migrated and bootstrapped the given database.
        Assert.Equal(1L, await ExecuteAsync(database.ConnectionString, "SELECT count(*) FROM admin_role"));
    }

    [Fact]
    public async Task PostgresCluster_KeepsItsDataAndPasswordAcrossRestarts()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "brokkr-apphost-restart-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string firstConnectionString;
            await using (var first = await StartDatabaseAsync(dataDirectory))
            {
                firstConnectionString = await first.GetConnectionStringAsync("brokkr");
                await ExecuteAsync(firstConnectionString, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('survives')");
                await first.StopAsync();
            }

            Assert.False(File.Exists(Path.Combine(dataDirectory, "postgres", "data", "postmaster.pid")), "pg_ctl stop did not run");

            await using var second = await StartDatabaseAsync(dataDirectory);
            var secondConnectionString = await second.GetConnectionStringAsync("brokkr");
            Assert.Equal(new NpgsqlConnectionStringBuilder(firstConnectionString).Password,
                new NpgsqlConnectionStringBuilder(secondConnectionString).Password);
            Assert.Equal("survives", await ExecuteAsync(secondConnectionString, "SELECT value FROM kept"));
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private static async Task<TestingApplication> StartDatabaseAsync(string dataDirectory)
    {
        var builder = (await DistributedApplicationTestingBuilder.CreateAsync<Projects.Brokkr_AppHost>([], dataDirectory)).WithOnly("postgres", "brokkr");
        var app = await builder.BuildAsync();
        await app.StartAsync();
        await app.WaitForResourceHealthyAsync("brokkr");
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
