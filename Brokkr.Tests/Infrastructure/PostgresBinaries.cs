namespace Brokkr.Tests.Infrastructure;

/// <summary>Finds the PostgreSQL server programs (initdb, pg_ctl) of the machine's PostgreSQL installation.</summary>
public sealed record PostgresBinaries(string InitDb, string PgCtl)
{
    public const string OverrideVariable = "BROKKR_TEST_PG_BIN";

    public static PostgresBinaries Locate()
    {
        foreach (var dir in CandidateDirectories())
        {
            var initdb = Path.Combine(dir, "initdb");
            var pgctl = Path.Combine(dir, "pg_ctl");
            if (File.Exists(initdb) && File.Exists(pgctl))
            {
                return new PostgresBinaries(initdb, pgctl);
            }
        }

        throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install the Debian package 'postgresql' " +
            "(apt-get install -y postgresql, which scripts/test does for you) or point " + OverrideVariable +
            " at the folder that holds them.");
    }

    private static IEnumerable<string> CandidateDirectories()
    {
        var overridden = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrEmpty(overridden))
        {
            yield return overridden;
        }

        // Debian keeps server programs off PATH, one folder per major version; prefer the newest.
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var versions = Directory.GetDirectories(debianRoot)
                .Select(d => (Dir: d, Major: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .OrderByDescending(x => x.Major);
            foreach (var (dir, _) in versions)
            {
                yield return Path.Combine(dir, "bin");
            }
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return dir;
        }
    }
}
