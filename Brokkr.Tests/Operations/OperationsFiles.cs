namespace Brokkr.Tests.Operations;

/// <summary>Where the operations layer lives in the repository (deploy/, docs/monitoring.md).</summary>
public static class OperationsFiles
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    public static string RepositoryRoot => Root.Value;

    public static string Deploy(params string[] parts) => Path.Combine([RepositoryRoot, "deploy", .. parts]);

    public static string MonitoringDoc => Path.Combine(RepositoryRoot, "docs", "monitoring.md");

    public static string AlertRules => Deploy("prometheus", "brokkr-alerts.yml");

    public static IReadOnlyList<string> Dashboards =>
        Directory.GetFiles(Deploy("grafana"), "*.json").Order(StringComparer.Ordinal).ToArray();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Brokkr.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no folder above {AppContext.BaseDirectory} holds Brokkr.sln");
    }
}
