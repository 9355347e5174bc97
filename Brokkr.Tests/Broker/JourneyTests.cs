using System.Text.Json;

namespace Brokkr.Tests.Broker;

/// <summary>The user journey, end to end over HTTP against a real broker and PostgreSQL.</summary>
public sealed class JourneyTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    [Fact]
    public async Task Generator_publishes_a_stack_and_its_agent_deploys_it()
    {
        var admin = broker.Client();

        // Admin creates a generator and an agent.
        var generatorResponse = await admin.Send("POST", "/generators", new { name = "ci-pipeline", description = "CI" }).Expect(201);
        var generatorId = generatorResponse.GetProperty("generator").Id();
        var generator = broker.Client(generatorResponse.Str("pak"));
        var agentResponse = await admin.Send("POST", "/agents", new { name = "edge-1", cluster_name = "prod-eu" }).Expect(201);
        var agentId = agentResponse.GetProperty("agent").Id();
        Assert.Equal("INACTIVE", agentResponse.GetProperty("agent").Str("status"));
        var agent = broker.Client(agentResponse.Str("initial_pak"));

        // The generator creates a stack, labels and annotates it, posts a deployment object.
        var stackId = (await generator.Send("POST", "/stacks", new { name = "web", generator_id = generatorId }).Expect(201)).Id();
        var label = await generator.Send("POST", $"/stacks/{stackId}/labels", "env:prod").Expect(201);
        Assert.Equal("env:prod", label.Str("label"));
        await generator.Send("POST", $"/stacks/{stackId}/annotations", new { stack_id = stackId, key = "team", value = "web" }).Expect(201);
        const string yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: b\n";
        var deploymentObject = await generator.Send("POST", $"/stacks/{stackId}/deployment-objects", new { yaml_content = yaml }).Expect(201);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(yaml))),
            deploymentObject.Str("yaml_checksum"));

        // Admin registers the agent with the generator; the generator targets the stack to the agent.
        await admin.Send("POST", $"/generators/{generatorId}/register", new { agent_id = agentId }).Expect(201);
        await generator.Send("POST", $"/agents/{agentId}/targets", new { agent_id = agentId, stack_id = stackId }).Expect(201);

        // The agent finds itself, fetches its target state, heartbeats and reports success.
        var self = await agent.Send("GET", $"/agents/?name=edge-1&cluster_name=prod-eu").Expect(200);
        Assert.Equal(agentId, self.Id());
        var targetState = await agent.Send("GET", $"/agents/{agentId}/target-state").Expect(200);
        var only = Assert.Single(targetState.EnumerateArray());
        Assert.Equal(deploymentObject.Id(), only.Id());
        Assert.Equal(yaml, only.Str("yaml_content"));
        await agent.Send("POST", $"/agents/{agentId}/heartbeat", new { k8s_reachable = true, k8s_api_latency_ms = 12 }).Expect(204);
        var @event = await agent.Send("POST", $"/agents/{agentId}/events", new
        {
            agent_id = agentId, deployment_object_id = deploymentObject.Id(), event_type = "DEPLOY", status = "SUCCESS", message = (string?)null,
        }).Expect(201);
        Assert.Equal("SUCCESS", @event.Str("status"));

        // Acknowledged: incremental target state is empty, full mode still lists the desired object.
        Assert.Empty((await agent.Send("GET", $"/agents/{agentId}/target-state").Expect(200)).EnumerateArray());
        Assert.Single((await agent.Send("GET", $"/agents/{agentId}/target-state?mode=full").Expect(200)).EnumerateArray());
        var record = await agent.Send("GET", $"/agents/{agentId}").Expect(200);
        Assert.True(record.GetProperty("k8s_reachable").GetBoolean());
        Assert.Equal(12, record.GetProperty("k8s_api_latency_ms").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, record.GetProperty("last_heartbeat").ValueKind);

        // Another generator may not target that stack.
        var other = await admin.Send("POST", "/generators", new { name = "intruder" }).Expect(201);
        await broker.Client(other.Str("pak"))
            .Send("POST", $"/agents/{agentId}/targets", new { agent_id = agentId, stack_id = stackId })
            .ExpectError(403, "target_generator_mismatch");
    }
}
