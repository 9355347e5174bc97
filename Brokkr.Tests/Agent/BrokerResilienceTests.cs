using Brokkr.Agent.Broker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brokkr.Tests.Agent;

/// <summary>
/// The agent's broker client over real HTTP against a broker that always answers 503, wired as the agent wires it:
/// service discovery from Aspire's services:broker:http:0 and the resilience pipeline.
/// </summary>
public sealed class BrokerResilienceTests : IAsyncLifetime
{
    private WebApplication unavailable = null!;
    private int requests;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        unavailable = builder.Build();
        unavailable.Run(context =>
        {
            Interlocked.Increment(ref requests);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });
        await unavailable.StartAsync();
    }

    public async Task DisposeAsync() => await unavailable.DisposeAsync();

    private BrokerClient Client(ServiceProvider services) => services.GetRequiredService<BrokerClient>();

    private ServiceProvider Services()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["services:broker:http:0"] = unavailable.Urls.First() })
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddServiceDiscovery();
        services.AddHttpClient<BrokerClient>(http => http.BaseAddress = new Uri(Brokkr.Agent.Configuration.AgentSettings.DiscoveredBrokerUrl))
            .AddServiceDiscovery()
            .AddBrokerResilience(TimeSpan.FromSeconds(5));
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task A_heartbeat_or_event_is_sent_once_however_the_broker_fails()
    {
        using var services = Services();
        var agentId = Guid.NewGuid();

        await Assert.ThrowsAsync<BrokerUnreachableException>(() => Client(services).SendHeartbeatAsync(agentId,
            new HeartbeatReport(true, 1), CancellationToken.None));
        Assert.Equal(1, Volatile.Read(ref requests));
        await Assert.ThrowsAsync<BrokerUnreachableException>(() => Client(services).ReportEventAsync(
            new AgentEventReport(agentId, Guid.NewGuid(), AgentEventReport.Deploy, AgentEventReport.Success, null), CancellationToken.None));
        Assert.Equal(2, Volatile.Read(ref requests));
    }

    [Fact]
    public async Task A_read_is_retried_twice_through_the_discovered_address()
    {
        using var services = Services();

        await Assert.ThrowsAsync<BrokerUnreachableException>(() => Client(services).GetAgentAsync(Guid.NewGuid(), CancellationToken.None));
        Assert.Equal(3, Volatile.Read(ref requests));
    }
}
