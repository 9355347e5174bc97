using Brokkr.Tests.Broker;

namespace Brokkr.Tests.BrokerMetrics;

/// <summary>A broker with <c>BROKKR__METRICS__ENABLED=false</c>: no recording hooks installed, the API unaffected.</summary>
public sealed class MetricsDisabledBroker : BrokerHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Brokkr:Metrics:enabled"] = "false",
    };
}

public sealed class MetricsDisabledTests(MetricsDisabledBroker broker) : IClassFixture<MetricsDisabledBroker>
{
    [Fact]
    public async Task The_api_works_and_metrics_is_not_served()
    {
        var fleet = new Fleet(broker);
        var generator = await fleet.GeneratorAsync();
        var agent = await fleet.AgentAsync(generator.Id);
        var stack = await fleet.StackAsync(generator);
        await fleet.DeploymentObjectAsync(generator, stack);
        await fleet.TargetAsync(generator, agent, stack);
        await broker.Client(agent.Pak).Send("POST", $"/agents/{agent.Id}/heartbeat").Expect(204);
        var state = await broker.Client(agent.Pak).Send("GET", $"/agents/{agent.Id}/target-state").Expect(200);
        Assert.Equal(1, state.GetArrayLength());
        await broker.Client(null).Send("GET", "/agents").Expect(401);

        using var metrics = await broker.Client(null).GetAsync("/metrics");
        Assert.Equal(404, (int)metrics.StatusCode);
        using var ready = await broker.Client(null).GetAsync("/readyz");
        Assert.Equal(200, (int)ready.StatusCode);
    }
}
