using Npgsql;

namespace Brokkr.AppHost.Hosting;

/// <summary>
/// Creates the database once its server is healthy (Aspire 9.2+ does the same) and reports it healthy while a connection
/// to it succeeds; with <c>ConnectionStrings__&lt;name&gt;</c> it only checks the existing server.
/// </summary>
internal sealed class PostgresDatabaseRunner(PostgresDatabaseResource database, PostgresServerRunner? serverRunner) : IResourceRunner
{
    private readonly TaskCompletionSource<int> _never = new();

    public string? SkipReason => null;

    public Task<int> Exited => _never.Task;

    public IReadOnlyList<string> Urls => [];

    public Task StopLeftoverAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (database.ExistingConnectionString is not null || serverRunner is null)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(await serverRunner.AdminConnectionStringAsync(cancellationToken));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", database.DatabaseName);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            var quoted = "\"" + database.DatabaseName.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task<bool> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(await database.ConnectionStringExpression.GetValueAsync(cancellationToken))
            {
                Pooling = false,
                Timeout = 5,
            };
            await using var connection = new NpgsqlConnection(connectionString.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or ArgumentException)
        {
            return false;
        }
    }

    public Task StopAsync() => Task.CompletedTask;
}
