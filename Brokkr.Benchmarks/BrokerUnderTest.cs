using System.Globalization;
using Brokkr.Tests.Infrastructure;
using Npgsql;

namespace Brokkr.Benchmarks;

/// <summary>The Release broker the fleet benchmarks measure, and what they read about its process and the machine.</summary>
public static class BrokerUnderTest
{
    /// <summary>A broker process on a new database of <paramref name="cluster"/>, pooling as in production.</summary>
    public static async Task<ServiceProcess> StartAsync(PostgresCluster cluster)
    {
        var database = await cluster.CreateDatabaseAsync();
        return await ServiceProcess.StartAsync("Brokkr.Broker", new Dictionary<string, string?>
        {
            // The test infrastructure's connection strings turn pooling off; a production broker pools.
            ["ConnectionStrings__brokkr"] = new NpgsqlConnectionStringBuilder(cluster.ConnectionStringFor(database)) { Pooling = true }.ConnectionString,
        }, readyPath: "/readyz");
    }

    public static double RssMiB(int pid) =>
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] is var kb ? long.Parse(kb, CultureInfo.InvariantCulture) / 1024.0 : 0;

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
