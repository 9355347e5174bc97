using System.Collections.Concurrent;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Infrastructure;
using Brokkr.Tests.ServiceDefaults;
using Npgsql;

namespace Brokkr.Tests.BrokerMetrics;

/// <summary>
/// A broker in its own process against a fresh database, so every brokkr_* value at its /metrics comes from this
/// test class alone. Derived fixtures add settings (environment variables) through <see cref="Settings"/>.
/// </summary>
public class BrokerProcess : IAsyncLifetime, IBrokerClients
{
    private readonly PostgresDatabaseFixture _database = new();
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new();
    private ServiceProcess? _service;

    public ServiceProcess Service => _service ?? throw new InvalidOperationException("not started");

    public string ConnectionString => _database.ConnectionString;

    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        // The fixture's connection strings turn pooling off for the test process; the broker runs as in production.
        var connection = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Pooling = true }.ConnectionString;
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__brokkr"] = connection,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in Settings)
        {
            environment[key] = value;
        }
        _service = await ServiceProcess.StartAsync("Brokkr.Broker", environment);
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
        await _database.DisposeAsync();
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

    /// <summary>GET /metrics: the raw exposition text.</summary>
    public async Task<string> ScrapeTextAsync()
    {
        using var response = await Client(null).GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/metrics answered {(int)response.StatusCode}: {text}");
        return text;
    }

    internal async Task<Scrape> ScrapeAsync() => new(await ScrapeTextAsync());
}
