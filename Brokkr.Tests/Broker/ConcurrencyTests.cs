namespace Brokkr.Tests.Broker;

/// <summary>
/// Racing writers on the same unique rows (spec §3, issue: "two agents or two generators racing on the same rows get
/// a clean 409, never a 500"): parallel identical creates yield exactly one 201 and 409s for the rest.
/// </summary>
public sealed class ConcurrencyTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private const int Racers = 8;

    private readonly Fleet _fleet = new(broker);

    [Theory]
    [InlineData("generator name")]
    [InlineData("agent name and cluster")]
    [InlineData("stack name from two generators")]
    [InlineData("explicit target")]
    [InlineData("self-registration")]
    [InlineData("stack label")]
    [InlineData("agent annotation")]
    public async Task Parallel_identical_creates_give_one_201_and_409s(string row)
    {
        var race = await PrepareAsync(row);
        var statuses = await Task.WhenAll(Enumerable.Range(0, Racers).Select(async i =>
        {
            using var response = await race(i);
            return (int)response.StatusCode;
        }));

        Assert.Equal(1, statuses.Count(s => s == 201));
        Assert.All(statuses.Where(s => s != 201), s => Assert.Equal(409, s));
    }

    [Fact]
    public async Task Parallel_updates_and_deletes_of_one_stack_never_fail_with_500()
    {
        var generator = await _fleet.GeneratorAsync();
        var stack = await _fleet.StackAsync(generator);
        var owner = broker.Client(generator.Pak);
        var calls = Enumerable.Range(0, Racers).Select(i => (i % 3) switch
        {
            0 => owner.Send("DELETE", $"/stacks/{stack}"),
            1 => owner.Send("POST", $"/stacks/{stack}/deployment-objects", new { yaml_content = $"n: {i}" }),
            _ => owner.Send("PUT", $"/stacks/{stack}", new { id = stack, created_at = DateTime.UtcNow, updated_at = DateTime.UtcNow, name = Fleet.Unique("s"), generator_id = generator.Id }),
        });
        var statuses = (await Task.WhenAll(calls)).Select(r => { using (r) return (int)r.StatusCode; }).ToList();
        Assert.All(statuses, s => Assert.True(s is >= 200 and < 300 or 404, $"unexpected {s}"));
        Assert.Contains(204, statuses);
    }

    /// <summary>Sets up the shared state and returns one racer's request.</summary>
    private async Task<Func<int, Task<HttpResponseMessage>>> PrepareAsync(string row)
    {
        var admin = _fleet.Admin;
        switch (row)
        {
            case "generator name":
            {
                var name = Fleet.Unique("race");
                return _ => admin.Send("POST", "/generators", new { name });
            }
            case "agent name and cluster":
            {
                var name = Fleet.Unique("race");
                return _ => admin.Send("POST", "/agents", new { name, cluster_name = "c" });
            }
            case "stack name from two generators":
            {
                var one = await _fleet.GeneratorAsync();
                var two = await _fleet.GeneratorAsync();
                var name = Fleet.Unique("race");
                return i =>
                {
                    var g = i % 2 == 0 ? one : two;
                    return broker.Client(g.Pak).Send("POST", "/stacks", new { name, generator_id = g.Id });
                };
            }
            case "explicit target":
            {
                var generator = await _fleet.GeneratorAsync();
                var agent = await _fleet.AgentAsync(generator.Id);
                var stack = await _fleet.StackAsync(generator);
                return i => (i % 2 == 0 ? admin : broker.Client(generator.Pak))
                    .Send("POST", $"/agents/{agent.Id}/targets", new { agent_id = agent.Id, stack_id = stack });
            }
            case "self-registration":
            {
                var generator = await _fleet.GeneratorAsync();
                var agent = await _fleet.AgentAsync();
                return _ => broker.Client(agent.Pak).Send("POST", $"/generators/{generator.Id}/register", new { });
            }
            case "stack label":
            {
                var generator = await _fleet.GeneratorAsync();
                var stack = await _fleet.StackAsync(generator);
                return _ => broker.Client(generator.Pak).Send("POST", $"/stacks/{stack}/labels", "env:race");
            }
            default:
            {
                var agent = await _fleet.AgentAsync();
                return i => admin.Send("POST", $"/agents/{agent.Id}/annotations", new { agent_id = agent.Id, key = "zone", value = $"z{i}" });
            }
        }
    }
}
