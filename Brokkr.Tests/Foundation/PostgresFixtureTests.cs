using Brokkr.Tests.Infrastructure;
using Npgsql;

namespace Brokkr.Tests.Foundation;

public sealed class PostgresFixtureTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task A_row_written_to_the_class_database_reads_back()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE round_trip (id uuid PRIMARY KEY, body text NOT NULL)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var id = Guid.NewGuid();
        await using (var insert = new NpgsqlCommand("INSERT INTO round_trip VALUES (@id, @body)", connection))
        {
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("body", "héllo \"brokkr\"");
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        await using var select = new NpgsqlCommand("SELECT body, current_database() FROM round_trip WHERE id = @id", connection);
        select.Parameters.AddWithValue("id", id);
        await using var reader = await select.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("héllo \"brokkr\"", reader.GetString(0));
        Assert.Equal(database.DatabaseName, reader.GetString(1));
    }

    [Fact]
    public async Task The_cluster_listens_on_loopback_only_and_is_a_real_server()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('listen_addresses'), current_setting('server_version_num')::int", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("127.0.0.1", reader.GetString(0));
        Assert.True(reader.GetInt32(1) >= 130000);
    }

    [Fact]
    public async Task Each_database_handed_out_is_fresh_and_distinct()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var other = await cluster.CreateDatabaseAsync();
        try
        {
            Assert.NotEqual(database.DatabaseName, other);
            await using var connection = new NpgsqlConnection(cluster.ConnectionStringFor(other));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", connection);
            Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
        }
        finally
        {
            await cluster.DropDatabaseAsync(other);
        }
    }
}
