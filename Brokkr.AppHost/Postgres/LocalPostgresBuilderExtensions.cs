using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Brokkr.AppHost.Postgres;

/// <summary>
/// PostgreSQL for run mode without a container engine: a cluster under the data folder (<c>postgres/data</c>), created
/// once by initdb with a generated password kept beside it (<c>postgres/password</c>), served by <c>postgres -D</c> on a
/// loopback port; its databases are created once the server is ready, as <c>AddDatabase</c> does for the container.
/// </summary>
public static class LocalPostgresBuilderExtensions
{
    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(this IDistributedApplicationBuilder builder,
        [ResourceName] string name, string dataDirectory)
    {
        var root = Path.Combine(dataDirectory, name);
        var cluster = Path.Combine(root, "data");
        var binaries = PostgresBinaries.Locate();
        var password = builder.AddParameter($"{name}-password", () => LoadOrCreatePassword(root, cluster), secret: true);
        var (command, prefix) = ServiceUser.Wrap(binaries?.Postgres ?? "postgres");
        var server = new LocalPostgresServerResource(name, command, root, password.Resource);

        var healthCheckKey = $"{name}_check";
        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, ct) =>
            connectionString = await server.ConnectionStringExpression.GetValueAsync(ct));
        builder.Services.AddHealthChecks().AddNpgSql(_ => AdminConnectionString(connectionString), name: healthCheckKey);

        return builder.AddResource(server)
            .WithEndpoint(name: LocalPostgresServerResource.EndpointName, scheme: "tcp")
            .WithArgs([.. prefix, "-D", cluster, "-p", server.PrimaryEndpoint.Property(EndpointProperty.TargetPort),
                "-c", "listen_addresses=localhost", "-c", "unix_socket_directories="])
            .WithIconName("DatabaseMultiple")
            .WithHealthCheck(healthCheckKey)
            .OnBeforeResourceStarted((_, _, ct) => InitializeClusterAsync(binaries, root, cluster, password.Resource, ct));
    }

    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(this IResourceBuilder<LocalPostgresServerResource> server,
        [ResourceName] string name, string? databaseName = null)
    {
        var builder = server.ApplicationBuilder;
        var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, server.Resource);

        var healthCheckKey = $"{name}_check";
        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, ct) =>
            connectionString = await database.ConnectionStringExpression.GetValueAsync(ct));
        builder.Services.AddHealthChecks().AddNpgSql(_ => connectionString ?? throw new InvalidOperationException("no connection string yet"),
            name: healthCheckKey);

        // A container's children follow its state; an executable's do not, so the database says itself when it exists.
        server.OnResourceReady(async (_, e, ct) =>
        {
            await CreateDatabaseAsync(server.Resource, database.DatabaseName, ct);
            await e.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(database, s => s with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            });
        });
        server.OnResourceStopped((_, e, _) => e.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(database,
            s => s with { State = KnownResourceStates.Exited, StopTimeStamp = DateTime.UtcNow }));

        return builder.AddResource(database).WithParentRelationship(server).WithHealthCheck(healthCheckKey);
    }

    private static string AdminConnectionString(string? serverConnectionString) =>
        new NpgsqlConnectionStringBuilder(serverConnectionString ?? throw new InvalidOperationException("no connection string yet"))
        {
            Database = "postgres",
        }.ConnectionString;

    private static async Task CreateDatabaseAsync(LocalPostgresServerResource server, string databaseName, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString(await server.ConnectionStringExpression.GetValueAsync(cancellationToken)));
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE {new NpgsqlCommandBuilder().QuoteIdentifier(databaseName)}";
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Created by an earlier run.
        }
    }

    /// <summary>
    /// <c>Parameters:&lt;name&gt;-password</c> when configured, else the password generated on the first run: the cluster was
    /// initialised with it, so it must not change.
    /// </summary>
    private static string LoadOrCreatePassword(string root, string cluster)
    {
        var file = Path.Combine(root, "password");
        if (File.Exists(file))
        {
            return File.ReadAllText(file).Trim();
        }

        if (File.Exists(Path.Combine(cluster, "PG_VERSION")))
        {
            throw new InvalidOperationException($"{file} is missing but the cluster in {cluster} exists: restore the file, or delete {root} to start from an empty database");
        }

        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        AppHostData.WriteOwnerOnly(file, password);
        return password;
    }

    private static async Task InitializeClusterAsync(PostgresBinaries? binaries, string root, string cluster, ParameterResource password,
        CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the local PostgreSQL runs on Linux and macOS; on Windows set AppHost:UseContainers=true");
        }

        if (binaries is null)
        {
            throw new InvalidOperationException("PostgreSQL server programs (initdb, postgres) not found: install the 'postgresql' package " +
                                                "(scripts/prerequisites.sh does), or give an existing server with ConnectionStrings__brokkr");
        }

        if (File.Exists(Path.Combine(cluster, "PG_VERSION")))
        {
            return;
        }

        // initdb wants the data folder its owner's alone.
        Directory.CreateDirectory(cluster, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // initdb reads the password from a file the service user can read; it lives only as long as initdb runs.
        var passwordFile = Path.Combine(root, "initdb-password");
        AppHostData.WriteOwnerOnly(passwordFile, await password.GetValueAsync(cancellationToken) ?? "");
        await ServiceUser.GiveAsync(root, cancellationToken);
        try
        {
            await ServiceUser.RunAsync(binaries.InitDb,
            [
                "-D", cluster, "-U", LocalPostgresServerResource.UserName, "--pwfile", passwordFile,
                "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--locale=C",
            ], asServiceUser: true, cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }
}
