using System.Globalization;
using Brokkr.Broker.Api.V1.Fleet;
using Brokkr.Tests.Infrastructure;
using Npgsql;

namespace Brokkr.Benchmarks;

/// <summary>
/// Issue 21's fleet-view benchmark alone: one Release broker with its defaults on a throwaway PostgreSQL, a fleet
/// seeded in the database (<see cref="FleetViewSeeder"/>) and grown through each size of <c>--fleets</c>, and at each
/// size <c>GET /fleet</c> timed one request at a time. <c>--explain</c> also prints the statement's plan at each size.
/// </summary>
public static class FleetViewBenchmark
{
    /// <param name="Database">An existing, otherwise empty database to seed and keep (to study plans afterwards) instead of a throwaway cluster.</param>
    public sealed record Settings(int[] Fleets, int Requests, bool Explain, string? Database)
    {
        public static Settings Parse(string[] args)
        {
            string? Get(string name) => Array.IndexOf(args, "--" + name) is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
            var fleets = (Get("fleets") ?? "10000,20000").Split(',').Select(f => int.Parse(f, CultureInfo.InvariantCulture)).Order().ToArray();
            return new Settings(fleets, int.Parse(Get("requests") ?? "20", CultureInfo.InvariantCulture), args.Contains("--explain"), Get("database"));
        }
    }

    public static async Task<int> RunAsync(Settings settings)
    {
        var cluster = settings.Database is null ? await PostgresCluster.SharedAsync() : null;
        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(
                settings.Database ?? cluster!.ConnectionStringFor(await cluster.CreateDatabaseAsync())) { Pooling = true }.ConnectionString;
            await using var broker = await ServiceProcess.StartAsync("Brokkr.Broker",
                new Dictionary<string, string?> { ["ConnectionStrings__brokkr"] = connectionString }, readyPath: "/readyz");
            using var client = new HttpClient { BaseAddress = broker.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            Console.WriteLine($"load average before: {BrokerUnderTest.LoadAverage()}");
            foreach (var fleet in settings.Fleets)
            {
                await FleetViewSeeder.TopUpAsync(connectionString, fleet);
                if (settings.Explain)
                {
                    await ExplainAsync(connectionString);
                }
                Console.WriteLine($"the statement alone: {await StatementMedianAsync(connectionString):F0} ms at the median of 10");
                Console.WriteLine($"{await FleetViewTiming.MeasureAsync(client, fleet, settings.Requests)}; load average {BrokerUnderTest.LoadAverage()}");
            }
            return 0;
        }
        finally
        {
            if (cluster is not null)
            {
                await PostgresCluster.StopSharedAsync();
            }
        }
    }

    private static async Task ExplainAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var explain = Command(connection, "EXPLAIN (ANALYZE, BUFFERS) ");
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            Console.WriteLine(reader.GetString(0));
        }
    }

    /// <summary>The statement's own time, every row read and dropped: what the database costs of a request.</summary>
    private static async Task<double> StatementMedianAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var times = new List<double>();
        for (var i = 0; i <= 10; i++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await using var command = Command(connection, "");
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                }
            }
            if (i > 0)
            {
                times.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string prefix) => new(
        prefix + string.Format(CultureInfo.InvariantCulture, FleetQuery.Statement, "$1", "$2"), connection)
    {
        Parameters =
        {
            new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid, Value = DBNull.Value },
            new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid, Value = DBNull.Value },
        },
    };
}
