using System.Net;
using Brokkr.Agent.Broker;
using Brokkr.Tests.Broker;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.Tests.Agent;

/// <summary>
/// The agent's broker client, wired as the agent wires it (typed client, singleton <see cref="TargetStateCache"/>),
/// against a real broker: the first poll is unconditional, later ones send the last ETag, a 304 hands back the last
/// answer and a change brings the new one.
/// </summary>
public sealed class ConditionalPollingTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private readonly Fleet _fleet = new(broker);

    [Fact]
    public async Task The_agent_polls_with_If_None_Match_and_keeps_its_last_answer_on_304()
    {
        var generator = await _fleet.GeneratorAsync();
        var agent = await _fleet.AgentAsync(generator.Id);
        var stack = await _fleet.StackAsync(generator);
        await _fleet.TargetAsync(generator, agent, stack);
        var first = (await _fleet.DeploymentObjectAsync(generator, stack, "a: 1")).Id();
        var exchanges = new Exchanges();
        await using var services = Services(agent.Pak, exchanges);

        var initial = await Client(services).GetTargetStateAsync(agent.Id, full: false, CancellationToken.None);
        Assert.Equal([first], initial.Select(o => o.Id));
        var (sent, status, etag) = exchanges.Last;
        Assert.Null(sent);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(etag);

        // A new client instance, as the typed client is per use: the cache is what carries the tag.
        var unchanged = await Client(services).GetTargetStateAsync(agent.Id, full: false, CancellationToken.None);
        Assert.Equal((etag, HttpStatusCode.NotModified), (exchanges.Last.IfNoneMatch, exchanges.Last.Status));
        Assert.Equal(initial, unchanged);
        Assert.Equal("a: 1", Assert.Single(unchanged).YamlContent);

        // Full mode has its own tag: its first poll is unconditional.
        await Client(services).GetTargetStateAsync(agent.Id, full: true, CancellationToken.None);
        Assert.Equal((null, HttpStatusCode.OK), (exchanges.Last.IfNoneMatch, exchanges.Last.Status));

        var second = (await _fleet.DeploymentObjectAsync(generator, stack, "a: 2")).Id();
        var changed = await Client(services).GetTargetStateAsync(agent.Id, full: false, CancellationToken.None);
        Assert.Equal((etag, HttpStatusCode.OK), (exchanges.Last.IfNoneMatch, exchanges.Last.Status));
        Assert.Equal([second], changed.Select(o => o.Id));
        Assert.NotEqual(etag, exchanges.Last.ETag);

        var again = await Client(services).GetTargetStateAsync(agent.Id, full: false, CancellationToken.None);
        Assert.Equal(HttpStatusCode.NotModified, exchanges.Last.Status);
        Assert.Equal([second], again.Select(o => o.Id));
    }

    private static BrokerClient Client(IServiceProvider services) => services.GetRequiredService<BrokerClient>();

    private ServiceProvider Services(string pak, Exchanges exchanges)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<TargetStateCache>();
        services.AddHttpClient<BrokerClient>(http =>
            {
                http.BaseAddress = broker.BaseAddress;
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", pak);
            })
            .AddHttpMessageHandler(() => new Recorder(exchanges))
            .AddBrokerResilience(TimeSpan.FromSeconds(10));
        return services.BuildServiceProvider();
    }

    private sealed class Exchanges
    {
        private readonly List<(string? IfNoneMatch, HttpStatusCode Status, string? ETag)> _all = [];

        public (string? IfNoneMatch, HttpStatusCode Status, string? ETag) Last
        {
            get { lock (_all) { return _all[^1]; } }
        }

        public void Add(string? ifNoneMatch, HttpStatusCode status, string? etag)
        {
            lock (_all) { _all.Add((ifNoneMatch, status, etag)); }
        }
    }

    private sealed class Recorder(Exchanges exchanges) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var sent = request.Headers.TryGetValues("If-None-Match", out var values) ? string.Join(",", values) : null;
            exchanges.Add(sent, response.StatusCode, response.Headers.ETag?.ToString());
            return response;
        }
    }
}
