namespace Brokkr.Tests.Broker;

/// <summary>
/// Labels and annotation keys with a slash (Kubernetes' <c>app.kubernetes.io/name</c>) or a percent sign are removed
/// through their percent-encoded path segment, decoded exactly once, for agents and stacks alike (spec §4.4, §4.7).
/// </summary>
public sealed class TagPathTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private readonly Fleet _fleet = new(broker);

    [Theory]
    [InlineData("agent", "labels", "app.kubernetes.io/name")]
    [InlineData("agent", "annotations", "app.kubernetes.io/name")]
    [InlineData("stack", "labels", "app.kubernetes.io/name")]
    [InlineData("stack", "annotations", "app.kubernetes.io/name")]
    [InlineData("stack", "labels", "literal%2Fescape")]
    [InlineData("agent", "annotations", "100%")]
    public async Task A_tag_is_deleted_by_its_encoded_path_segment(string owner, string kind, string tag)
    {
        var (client, basePath, body) = await CreateOwnerAsync(owner, kind, tag);
        await client.Send("POST", $"{basePath}/{kind}", body).Expect(201);
        Assert.Equal(1, (await client.Send("GET", $"{basePath}/{kind}").Expect(200)).GetArrayLength());

        await client.Send("DELETE", $"{basePath}/{kind}/{Uri.EscapeDataString(tag)}").Expect(204);
        Assert.Equal(0, (await client.Send("GET", $"{basePath}/{kind}").Expect(200)).GetArrayLength());
        using var again = await client.Send("DELETE", $"{basePath}/{kind}/{Uri.EscapeDataString(tag)}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, again.StatusCode);
    }

    /// <summary>The caller allowed to manage the tags, the owner's path and the creation body for <paramref name="tag"/>.</summary>
    private async Task<(HttpClient Client, string BasePath, object Body)> CreateOwnerAsync(string owner, string kind, string tag)
    {
        if (owner == "agent")
        {
            var agent = await _fleet.AgentAsync();
            object body = kind == "labels" ? new { agent_id = agent.Id, label = tag } : new { agent_id = agent.Id, key = tag, value = "v" };
            return (_fleet.Admin, $"/agents/{agent.Id}", body);
        }
        var generator = await _fleet.GeneratorAsync();
        var stack = await _fleet.StackAsync(generator);
        object stackBody = kind == "labels" ? tag : new { stack_id = stack, key = tag, value = "v" };
        return (broker.Client(generator.Pak), $"/stacks/{stack}", stackBody);
    }
}
