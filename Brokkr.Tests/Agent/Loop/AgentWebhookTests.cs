using System.Text.Json;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Webhooks;

namespace Brokkr.Tests.Agent.Loop;

/// <summary>Agent-side delivery end to end: a subscription naming agent labels is sent by the matching agent, not the broker.</summary>
[Collection(AgentLoopCollection.Name)]
public sealed class AgentWebhookTests(RestartableBroker broker) : IClassFixture<RestartableBroker>
{
    private const string Namespace = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: edge-demo}
        """;

    [Fact]
    public async Task The_agent_carrying_the_target_labels_claims_sends_and_reports_its_deliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var admin = broker.Admin;
        var subscription = (await admin.Send("POST", "/webhooks", new
        {
            name = "in-cluster", url = receiver.Url("/ok/in-cluster"), auth_header = "Bearer in-cluster-secret",
            event_types = new[] { "deployment.*" }, target_labels = new[] { "site:edge" },
        }).Expect(201)).Id();
        var stranger = (await admin.Send("POST", "/agents", new { name = Fleet.Unique("stranger"), cluster_name = "c9" }).Expect(201));
        var strangerId = stranger.GetProperty("agent").Id();

        Guid deployment = default;
        // Every agent log line at every level is kept, to show that the secrets it is handed are never logged.
        var trace = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" };
        await using var rig = await AgentRig.StartAsync(broker, settings: trace, arrange: async r =>
        {
            await admin.Send("POST", $"/agents/{r.Agent.Id}/labels", new { agent_id = r.Agent.Id, label = "site:edge" }).Expect(201);
            // An agent without the label never gets the delivery.
            var stack = await r.StackAsync();
            deployment = await r.DeployAsync(stack, Namespace);
            Assert.Equal(0, (await broker.Client(stranger.Str("initial_pak")).Send("GET", $"/agents/{strangerId}/webhooks/pending")
                .Expect(200)).GetArrayLength());
        });

        // Tick 1 applied the object (deployment.applied) after deployment.created was queued; the next tick relays both.
        await rig.TickAsync();
        await WebhookReceiver.Eventually(async () =>
            (await admin.Send("GET", $"/webhooks/{subscription}/deliveries?status=success").Expect(200)).GetArrayLength() == 2,
            "both deliveries reported successful");
        var received = receiver.At("/ok/in-cluster").ToList();
        Assert.NotEmpty(rig.Logs);
        Assert.DoesNotContain(rig.Logs, l => l.Contains("in-cluster-secret") || l.Contains(receiver.Url("/ok/in-cluster")));
        Assert.Equal(["deployment.applied", "deployment.created"], received.Select(r => r.EventType).Order());
        Assert.All(received, r =>
        {
            Assert.Equal("Bearer in-cluster-secret", r.Headers["Authorization"]);
            Assert.Equal(deployment, r.Json.GetProperty("data").GetProperty("deployment_object_id").GetGuid());
            Assert.True(r.Headers.ContainsKey("X-Brokkr-Delivery-Id"));
        });
        var deliveries = await admin.Send("GET", $"/webhooks/{subscription}/deliveries").Expect(200);
        Assert.All(deliveries.EnumerateArray(), d =>
        {
            Assert.Equal(rig.Agent.Id, d.GetProperty("acquired_by").GetGuid());
            Assert.Equal(1, d.GetProperty("attempts").GetInt32());
            Assert.Equal(JsonValueKind.Array, d.GetProperty("target_labels").ValueKind);
        });
    }
}
