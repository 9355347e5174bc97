using Npgsql;

namespace Brokkr.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL cluster per test run: initdb into a temporary folder, pg_ctl start on a free loopback
/// port, stopped and deleted at the end of the run by <see cref="BrokkrTestFramework"/>. Test classes take databases from it through
/// <see cref="PostgresDatabaseFixture"/>.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private const string FolderPrefix = "brokkr-test-pg-";
    private const string ServiceUser = "postgres";

    private static readonly Lazy<Task<PostgresCluster>> SharedCluster = new(() => StartAsync(durable: false));

    private readonly PostgresBinaries _binaries;
    private readonly string _root;
    private readonly string? _runAs;
    private readonly bool _durable;

    private PostgresCluster(PostgresBinaries binaries, string root, int port, string? runAs, bool durable)
    {
        _binaries = binaries;
        _root = root;
        _runAs = runAs;
        _durable = durable;
        Port = port;
    }

    public int Port { get; }

    public string DataDirectory => Path.Combine(_root, "data");

    /// <summary>Connection string for the superuser's maintenance database.</summary>
    public string AdminConnectionString => ConnectionStringFor("postgres");

    public static Task<PostgresCluster> SharedAsync() => SharedCluster.Value;

    /// <summary>
    /// A cluster of the caller's own, for tests that stop and restart PostgreSQL under load; durable (fsync and
    /// synchronous commit on, unlike the shared one), so "acknowledged means stored" is what is tested. Dispose it.
    /// </summary>
    public static Task<PostgresCluster> StartPrivateAsync() => StartAsync(durable: true);

    /// <summary>Stops the server as a crash would (<c>pg_ctl stop -m immediate</c>): no checkpoint, connections cut.</summary>
    public Task CrashAsync() => ProcessRunner.RunAsync(_binaries.PgCtl, ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], _runAs);

    /// <summary>Starts the server again on its port, after <see cref="CrashAsync"/>; it recovers from its WAL.</summary>
    public Task StartAgainAsync() => StartServerAsync(_binaries, _root, Port, _durable, _runAs);

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>Stops the run's cluster, if one was started, and deletes its folder.</summary>
    public static async Task StopSharedAsync()
    {
        if (SharedCluster.IsValueCreated && SharedCluster.Value.IsCompletedSuccessfully)
        {
            await SharedCluster.Value.Result.StopAsync();
        }
    }

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = ServiceUser,
        Database = database,
        // Pooling off: a dropped test database must not leave idle pooled connections behind.
        Pooling = false,
    }.ConnectionString;

    public async Task<string> CreateDatabaseAsync()
    {
        var name = "test_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync($"CREATE DATABASE \"{name}\"");
        return name;
    }

    public Task DropDatabaseAsync(string name) => ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<PostgresCluster> StartAsync(bool durable)
    {
        var binaries = PostgresBinaries.Locate();
        var runAs = ProcessRunner.IsRoot ? ServiceUser : null; // initdb refuses to run as root.
        await RemoveAbandonedClustersAsync(binaries, runAs);

        var root = Path.Combine(Path.GetTempPath(), $"{FolderPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(root);
        if (runAs is not null)
        {
            await ProcessRunner.RunAsync("chown", [$"{runAs}:{runAs}", root]);
        }

        var data = Path.Combine(root, "data");
        await ProcessRunner.RunAsync(binaries.InitDb,
            ["-D", data, "-U", ServiceUser, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"], runAs);

        // A port found free can be taken before the server binds it: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            try
            {
                await StartServerAsync(binaries, root, port, durable, runAs);
                return new PostgresCluster(binaries, root, port, runAs, durable);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    private static Task StartServerAsync(PostgresBinaries binaries, string root, int port, bool durable, string? runAs) =>
        ProcessRunner.RunAsync(binaries.PgCtl,
        [
            "-D", Path.Combine(root, "data"), "-l", Path.Combine(root, "server.log"), "-w", "-t", "30", "start", "-o",
            $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=300" +
            (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"),
        ], runAs);

    private async Task StopAsync()
    {
        try
        {
            await ProcessRunner.RunAsync(_binaries.PgCtl, ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], _runAs);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            Console.Error.WriteLine($"stopping the test PostgreSQL cluster failed: {e.Message}");
        }

        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Clusters left by a test process that was killed before it could clean up.</summary>
    private static async Task RemoveAbandonedClustersAsync(PostgresBinaries binaries, string? runAs)
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var pidText = Path.GetFileName(dir)[FolderPrefix.Length..].Split('-')[0];
            if (!int.TryParse(pidText, out var pid) || IsAlive(pid))
            {
                continue;
            }

            var data = Path.Combine(dir, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                try
                {
                    await ProcessRunner.RunAsync(binaries.PgCtl, ["-D", data, "-m", "immediate", "-w", "stop"], runAs);
                }
                catch (InvalidOperationException)
                {
                    // Already stopped: only the folder remains.
                }
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");

    private static int FreeLoopbackPort() => LoopbackPort.Free();
}
