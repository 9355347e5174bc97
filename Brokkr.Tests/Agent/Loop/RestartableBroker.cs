using Brokkr.Broker;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.Tests.Agent.Loop;

/// <summary>
/// A real broker (Kestrel on loopback, the class's own PostgreSQL database) that a test can stop and start again on
/// the same address, as an outage the agent must ride out. Unlike <see cref="BrokerHost"/> it owns its lifetime.
/// </summary>
public sealed class RestartableBroker : IAsyncLifetime
{
    private readonly PostgresDatabaseFixture _database = new();
    private readonly Dictionary<string, HttpClient> _clients = [];
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Admin => Client(BrokerHost.DevAdminPak);

    /// <summary>The broker's database, for rows no API call can make (what another broker version stored).</summary>
    public string ConnectionString => _database.ConnectionString;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        await StartAsync("http://127.0.0.1:0");
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>Starts the broker again on the address it had before.</summary>
    public Task RestartAsync() => StartAsync(BaseAddress.ToString().TrimEnd('/'));

    public HttpClient Client(string pak)
    {
        lock (_clients)
        {
            if (!_clients.TryGetValue(pak, out var client))
            {
                client = new HttpClient { BaseAddress = BaseAddress };
                client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + pak);
                _clients[pak] = client;
            }

            return client;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        await StopAsync();
        await _database.DisposeAsync();
    }

    private async Task StartAsync(string url)
    {
        _app = BrokerApp.Build(BrokerApp.CreateBuilder([], new Dictionary<string, string?>
        {
            ["urls"] = url,
            ["ConnectionStrings:brokkr"] = _database.ConnectionString,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Brokkr:Broker:webhook_encryption_key"] = Webhooks.WebhookBroker.Key,
        }));
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }
}
