namespace Brokkr.AppHost.Postgres;

/// <summary>The PostgreSQL server programs: Debian's /usr/lib/postgresql/&lt;major&gt;/bin, newest first, then PATH.</summary>
internal sealed record PostgresBinaries(string InitDb, string Postgres)
{
    public static PostgresBinaries? Locate()
    {
        const string debianRoot = "/usr/lib/postgresql";
        var debian = Directory.Exists(debianRoot)
            ? Directory.GetDirectories(debianRoot)
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var major) ? major : 0)
                .Select(d => Path.Combine(d, "bin"))
            : [];
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return debian.Concat(path)
            .Where(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "postgres")))
            .Select(dir => new PostgresBinaries(Path.Combine(dir, "initdb"), Path.Combine(dir, "postgres")))
            .FirstOrDefault();
    }
}
