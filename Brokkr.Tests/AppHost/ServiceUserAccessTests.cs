using System.Runtime.Versioning;
using Brokkr.AppHost.Hosting;
using Brokkr.Tests.AppHost.Testing;

namespace Brokkr.Tests.AppHost;

/// <summary>
/// Run as root, the AppHost runs PostgreSQL as the postgres user, which must be able to enter every folder above the
/// cluster: a repository under /root (mode 700) would fail initdb obscurely, so the AppHost finds the folder that blocks
/// and says what to do.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class ServiceUserAccessTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "brokkr-access-" + Guid.NewGuid().ToString("N")[..8]);

    public ServiceUserAccessTests() => Directory.CreateDirectory(Path.Combine(_root, "home", "repo", ".brokkr"));

    private string Home => Path.Combine(_root, "home");

    private string Cluster => Path.Combine(Home, "repo", ".brokkr", "postgres");

    [Fact]
    public async Task The_first_folder_the_user_may_not_enter_is_found_from_the_top()
    {
        var probed = new List<string>();
        var blocked = await ServiceUserAccess.FirstBlockedFolderAsync(Cluster, dir =>
        {
            probed.Add(dir);
            return Task.FromResult(!dir.StartsWith(Home, StringComparison.Ordinal));
        });

        Assert.Equal(Home, blocked);
        // The deepest existing folder first (postgres/ does not exist yet), then from / down to the one that blocks.
        Assert.Equal(Path.Combine(Home, "repo", ".brokkr"), probed[0]);
        Assert.Equal("/", probed[1]);
        Assert.Equal(Home, probed[^1]);
    }

    [Fact]
    public async Task A_reachable_folder_costs_one_probe()
    {
        var probed = new List<string>();
        var blocked = await ServiceUserAccess.FirstBlockedFolderAsync(Cluster, dir =>
        {
            probed.Add(dir);
            return Task.FromResult(true);
        });

        Assert.Null(blocked);
        Assert.Equal([Path.Combine(Home, "repo", ".brokkr")], probed);
    }

    [Fact]
    public async Task The_failure_names_the_folder_its_mode_and_what_to_do()
    {
        File.SetUnixFileMode(Home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceUserAccess.EnsureReachableAsync(Cluster, "postgres",
            "PostgreSQL", dir => Task.FromResult(!dir.StartsWith(Home, StringComparison.Ordinal))));

        Assert.Contains($"cannot enter {Home} (mode 700) on the way to {Cluster}", error.Message);
        Assert.Contains("--AppHost:DataDirectory=", error.Message);
        Assert.Contains($"setfacl -m u:postgres:x {Home}", error.Message);
    }

    [Fact]
    public async Task The_kernel_probe_finds_a_folder_closed_to_the_service_user()
    {
        // As root the probe runs as postgres (root itself enters anything); otherwise as this user, whom mode 000 stops too.
        var probe = ServiceUserAccess.Probe(CommandRunner.IsRoot ? "postgres" : null);
        File.SetUnixFileMode(Home, UnixFileMode.None);
        Assert.Equal(Home, await ServiceUserAccess.FirstBlockedFolderAsync(Cluster, probe));

        File.SetUnixFileMode(Home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                   UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        Assert.Null(await ServiceUserAccess.FirstBlockedFolderAsync(Cluster, probe));
    }

    [Fact]
    public async Task The_apphosts_postgres_under_a_home_closed_to_others_fails_with_the_reason_when_run_as_root()
    {
        File.SetUnixFileMode(Home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var builder = (await DistributedApplicationTestingBuilder.CreateAsync<Projects.Brokkr_AppHost>([], Path.Combine(Home, "repo", ".brokkr")))
            .WithOnly("postgres", "brokkr");
        await using var app = await builder.BuildAsync();
        await app.StartAsync();
        if (!CommandRunner.IsRoot)
        {
            // PostgreSQL runs as this user, who owns the folder: nothing to report.
            await app.WaitForResourceHealthyAsync("postgres");
            return;
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => app.WaitForResourceHealthyAsync("postgres"));
        var postgres = app.ResourceNotifications.Get("postgres");
        Assert.Equal(KnownResourceStates.FailedToStart, postgres.State);
        Assert.Contains($"cannot enter {Home} (mode 700)", postgres.Message);
        Assert.False(Directory.Exists(Path.Combine(Cluster, "data")), "initdb ran anyway");
    }

    public void Dispose()
    {
        File.SetUnixFileMode(Home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.Delete(_root, recursive: true);
    }
}
