using System.Globalization;
using Npgsql;

namespace Brokkr.AppHost.Hosting;

/// <summary>
/// A private PostgreSQL cluster under the data folder (<c>.brokkr/&lt;resource&gt;/</c>): created once with initdb (scram
/// authentication, a generated password kept beside the data), started with pg_ctl on the endpoint's loopback port,
/// stopped with pg_ctl. Skipped when every database on it comes from <c>ConnectionStrings__&lt;name&gt;</c>.
/// </summary>
internal sealed class PostgresServerRunner(PostgresServerResource server, DistributedApplicationExecutionContext executionContext, ResourceConsole console)
    : IResourceRunner
{
    // initdb and the server refuse to run as root.
    private const string ServiceUser = "postgres";
    private readonly string? _runAs = CommandRunner.IsRoot ? ServiceUser : null;
    private readonly TaskCompletionSource<int> _never = new();
    private LogFileTail? _tail;
    private bool _launched;

    private string Root => Path.Combine(executionContext.DataDirectory, server.Name);

    private string DataDirectory => Path.Combine(Root, "data");

    private string LogFile => Path.Combine(Root, "log", "server.log");

    private string PasswordFile => Path.Combine(Root, "password");

    private PostgresBinaries? Binaries { get; } = PostgresBinaries.Locate();

    public string? SkipReason => server.Databases.Count > 0 && server.Databases.All(d => d.ExistingConnectionString is not null)
        ? "using the existing server given by ConnectionStrings__" + string.Join(", ConnectionStrings__", server.Databases.Select(d => d.Name))
        : null;

    public Task<int> Exited => _never.Task;

    public IReadOnlyList<string> Urls => server.PrimaryEndpoint.Endpoint.AllocatedPort is { } port
        ? [$"tcp://localhost:{port.ToString(CultureInfo.InvariantCulture)}"]
        : [];

    public Task StopLeftoverAsync(CancellationToken cancellationToken) =>
        Binaries is { } binaries && SkipReason is null ? StopLeftoverServerAsync(binaries, cancellationToken) : Task.CompletedTask;

    public Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var binaries = Binaries ?? throw new InvalidOperationException(
            "PostgreSQL server programs (initdb, pg_ctl) not found: install the 'postgresql' package (scripts/prerequisites.sh does), " +
            "or give an existing server with ConnectionStrings__brokkr");
        Directory.CreateDirectory(Path.GetDirectoryName(LogFile)!);
        if (_runAs is not null)
        {
            // Its data and log folders are handed to it below; the folders above them must let it through.
            await ServiceUserAccess.EnsureReachableAsync(Root, _runAs, "PostgreSQL (initdb and the server refuse to run as root)",
                ServiceUserAccess.Probe(_runAs));
        }

        server.PasswordParameter.Value = await LoadOrCreatePasswordAsync();
        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            await InitializeClusterAsync(binaries, cancellationToken);
        }

        await ChownAsync(Path.GetDirectoryName(LogFile)!);
        _tail = new LogFileTail(LogFile, line => console.WriteLog(server.Name, line));
        _tail.Start();
        var port = server.PrimaryEndpoint.Port.ToString(CultureInfo.InvariantCulture);
        // Set before pg_ctl runs: a Ctrl+C while it waits for the server still stops the server it launched.
        _launched = true;
        await CommandRunner.RunAsync(binaries.PgCtl,
        [
            "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "start",
            "-o", $"-p {port} -c listen_addresses=localhost -c unix_socket_directories=''",
        ], _runAs, TimeSpan.FromSeconds(90), cancellationToken: cancellationToken);
    }

    public async Task<bool> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(await AdminConnectionStringAsync(cancellationToken));
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    public async Task StopAsync()
    {
        if (_launched && Binaries is { } binaries && File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            _launched = false;
            try
            {
                await CommandRunner.RunAsync(binaries.PgCtl, ["-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop"], _runAs);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                console.WriteLog(server.Name, "pg_ctl stop failed: " + e.Message);
            }
        }

        if (_tail is not null)
        {
            await _tail.DisposeAsync();
            _tail = null;
        }
    }

    /// <summary>The server's own database as the superuser: for health and for creating databases.</summary>
    public async Task<string> AdminConnectionStringAsync(CancellationToken cancellationToken) =>
        new NpgsqlConnectionStringBuilder(await server.ConnectionStringExpression.GetValueAsync(cancellationToken))
        {
            Database = "postgres",
            Pooling = false,
            Timeout = 5,
        }.ConnectionString;

    /// <summary>
    /// <c>Parameters:postgres-password</c> when configured, else the password generated on the first run (the cluster
    /// was initialised with it, so it must not change).
    /// </summary>
    private async Task<string> LoadOrCreatePasswordAsync()
    {
        if (executionContext.Configuration[$"Parameters:{server.PasswordParameter.Name}"] is { Length: > 0 } configured)
        {
            return configured;
        }

        if (File.Exists(PasswordFile))
        {
            return (await File.ReadAllTextAsync(PasswordFile)).Trim();
        }

        if (File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            throw new InvalidOperationException(
                $"{PasswordFile} is missing but the cluster in {DataDirectory} exists: restore the file, set " +
                $"Parameters__{server.PasswordParameter.Name}, or delete {Root} to start from an empty database");
        }

        var password = server.PasswordParameter.Generate?.GenerateLocalValue() ?? new GenerateParameterDefault(22).GenerateLocalValue();
        await File.WriteAllTextAsync(PasswordFile, password);
        FilePermissions.OwnerOnly(PasswordFile);
        return password;
    }

    private async Task InitializeClusterAsync(PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        console.WriteLog(server.Name, $"creating the cluster in {DataDirectory}");
        Directory.CreateDirectory(DataDirectory);
        FilePermissions.OwnerOnly(DataDirectory, directory: true);
        await ChownAsync(DataDirectory);
        // initdb reads the password from a file the service user can read; it lives only as long as initdb runs.
        var passwordFile = Path.Combine(DataDirectory, "..", "log", "initdb-password");
        await File.WriteAllTextAsync(passwordFile, server.PasswordParameter.Value, cancellationToken);
        FilePermissions.OwnerOnly(passwordFile);
        await ChownAsync(passwordFile);
        try
        {
            await CommandRunner.RunAsync(binaries.InitDb,
            [
                "-D", DataDirectory, "-U", PostgresServerResource.UserName, "--pwfile", passwordFile,
                "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--locale=C",
            ], _runAs, TimeSpan.FromMinutes(2), cancellationToken: cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>A server still running from an AppHost that was killed: stopped so this run starts it on its own port.</summary>
    private async Task StopLeftoverServerAsync(PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            return;
        }

        try
        {
            await CommandRunner.RunAsync(binaries.PgCtl, ["-D", DataDirectory, "status"], _runAs, cancellationToken: cancellationToken);
        }
        catch (InvalidOperationException)
        {
            return; // Not running: a stale pid file, which pg_ctl start handles.
        }

        console.WriteLog(server.Name, "stopping a server left running by an earlier AppHost");
        await CommandRunner.RunAsync(binaries.PgCtl, ["-D", DataDirectory, "-m", "fast", "-w", "stop"], _runAs, cancellationToken: cancellationToken);
    }

    private async Task ChownAsync(string path)
    {
        if (_runAs is not null)
        {
            await CommandRunner.RunAsync("chown", [$"{_runAs}:{_runAs}", path]);
        }
    }
}
