using Npgsql;

namespace Brokkr.Tests.Agent.Loop;

/// <summary>
/// Our broker refuses alias bombs, but an agent may be served by one that stored them (an older or upstream broker):
/// the agent must report such an object as a FAILURE and go on, not expand it until it runs out of memory.
/// </summary>
[Collection(AgentLoopCollection.Name)]
public sealed class AgentYamlBombTests(RestartableBroker broker) : IClassFixture<RestartableBroker>
{
    [Fact]
    public async Task A_stored_billion_laughs_is_a_failure_event_and_the_next_object_still_applies()
    {
        Guid bomb = default, good = default;
        await using var rig = await AgentRig.StartAsync(broker, async r =>
        {
            var stack = await r.StackAsync();
            bomb = await StoreBypassingValidationAsync(stack,
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: laughs, namespace: default}\n" + Foundation.BoundedYamlParserTests.Laughs);
            good = await r.DeployAsync(await r.StackAsync(), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: after-laughs, namespace: default}\n");
        });

        var events = await rig.EventsAsync();
        Assert.Equal("FAILURE", events[bomb].Status);
        Assert.Contains("aliases expand to more than", events[bomb].Message);
        Assert.Equal("SUCCESS", events[good].Status);
        Assert.Null(rig.ClusterObject("configmaps", "default", "laughs"));
        Assert.NotNull(rig.ClusterObject("configmaps", "default", "after-laughs"));
    }

    /// <summary>Writes a deployment object straight into the database, as a broker without the alias check stored it.</summary>
    private async Task<Guid> StoreBypassingValidationAsync(Guid stackId, string yaml)
    {
        await using var connection = new NpgsqlConnection(broker.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            INSERT INTO deployment_objects (stack_id, yaml_content, yaml_checksum)
            VALUES (@stack, @yaml, encode(sha256(convert_to(@yaml, 'UTF8')), 'hex')) RETURNING id
            """, connection);
        command.Parameters.AddWithValue("stack", stackId);
        command.Parameters.AddWithValue("yaml", yaml);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }
}
