using System.Collections.Concurrent;
using Brokkr.Tests.Infrastructure;
using Npgsql;

namespace Brokkr.Tests.Broker.Replicas;

/// <summary>One broker process of several sharing a database, as replicas behind a load balancer are.</summary>
public sealed class BrokerReplica : IBrokerClients, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new();

    private BrokerReplica(ServiceProcess service) => Service = service;

    public ServiceProcess Service { get; }

    /// <param name="connectionString">The shared database (the fixture's; pooled here, as in production).</param>
    /// <param name="settings">Extra environment variables, e.g. the auth cache TTL.</param>
    public static async Task<BrokerReplica> StartAsync(string connectionString, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__brokkr"] = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = true }.ConnectionString,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }
        // Generous: several replicas start at once, on a machine that may be running other test classes too.
        return new BrokerReplica(await ServiceProcess.StartAsync("Brokkr.Broker", environment, readyPath: "/readyz",
            startupTimeout: TimeSpan.FromMinutes(3)));
    }

    public HttpClient Client(string? pak = BrokerHost.DevAdminPak) => _clients.GetOrAdd(pak ?? "", key =>
    {
        var client = Service.CreateClient();
        if (key.Length > 0)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + key);
        }
        return client;
    });

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
        await Service.DisposeAsync();
    }
}
