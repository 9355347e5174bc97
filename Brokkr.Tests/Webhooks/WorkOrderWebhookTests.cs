using System.Text.Json;
using Brokkr.Tests.Broker;
using Brokkr.Tests.Broker.WorkOrders;

namespace Brokkr.Tests.Webhooks;

/// <summary>The <c>workorder.*</c> events reach a real receiver once per change, with upstream's payload fields.</summary>
public sealed class WorkOrderWebhookTests(WebhookBroker broker) : IClassFixture<WebhookBroker>, IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task Created_claimed_completed_and_failed_each_fire_once_and_a_scheduled_retry_fires_nothing()
    {
        var path = $"/workorders-{Guid.NewGuid():N}";
        var subscription = (await broker.Client().Send("POST", "/webhooks", new
        {
            name = Fleet.Unique("hook"), url = _receiver.Url(path), event_types = new[] { "workorder.*" },
        }).Expect(201)).Id();
        var orders = new WorkOrderClient(broker);
        var agent = await orders.Fleet.AgentAsync();
        var targeting = new { agent_ids = new[] { agent.Id } };

        var succeeded = (await orders.CreateAsync(targeting)).Id();
        await orders.Claim(agent, succeeded).Expect(200);
        await orders.Complete(agent, succeeded, success: true, "done").Expect(200);
        var failed = (await orders.CreateAsync(targeting, maxRetries: 3)).Id();
        await orders.Claim(agent, failed).Expect(200);
        await orders.Complete(agent, failed, success: false, "invalid manifest", retryable: false).Expect(200);
        var retried = (await orders.CreateAsync(targeting, maxRetries: 3)).Id();
        await orders.Claim(agent, retried).Expect(200);
        await orders.Complete(agent, retried, success: false, "try again").Expect(202);

        (string, Guid)[] expected =
        [
            ("workorder.created", succeeded), ("workorder.claimed", succeeded), ("workorder.completed", succeeded),
            ("workorder.created", failed), ("workorder.claimed", failed), ("workorder.failed", failed),
            ("workorder.created", retried), ("workorder.claimed", retried),
        ];
        await WebhookReceiver.Eventually(() => expected.All(e => Received(path).Contains(e)), "every work-order event");
        await WebhookReceiver.Eventually(async () =>
            (await broker.Client().Send("GET", $"/webhooks/{subscription}/deliveries?status=pending").Expect(200)).GetArrayLength() == 0,
            "an idle queue");
        Assert.Equal(expected.Order(), Received(path).Order());

        var events = _receiver.At(path).ToDictionary(r => (r.EventType, OrderOf(r.Json.GetProperty("data"))), r => r.Json.GetProperty("data"));
        var created = events[("workorder.created", succeeded)];
        Assert.Equal(("custom", "PENDING"), (created.Str("work_type"), created.Str("status")));
        Assert.True(created.TryGetProperty("created_at", out _));
        var claimed = events[("workorder.claimed", succeeded)];
        Assert.Equal(agent.Id, claimed.Id("agent_id"));
        Assert.NotEqual(JsonValueKind.Null, claimed.GetProperty("claimed_at").ValueKind);
        var completed = events[("workorder.completed", succeeded)];
        Assert.Equal((true, "done", agent.Id, "custom"), (completed.GetProperty("success").GetBoolean(), completed.Str("result_message"),
            completed.Id("agent_id"), completed.Str("work_type")));
        var failure = events[("workorder.failed", failed)];
        Assert.Equal((false, "invalid manifest", agent.Id), (failure.GetProperty("success").GetBoolean(), failure.Str("result_message"), failure.Id("agent_id")));
        Assert.True(failure.TryGetProperty("completed_at", out _));
        await broker.Client().Send("DELETE", $"/webhooks/{subscription}").Expect(204);
    }

    private List<(string, Guid)> Received(string path) =>
        _receiver.At(path).Select(r => (r.EventType, OrderOf(r.Json.GetProperty("data")))).ToList();

    /// <summary>The order an event is about: its id, or for the archive events the log id (the order's own id).</summary>
    private static Guid OrderOf(JsonElement data) =>
        (data.TryGetProperty("work_order_id", out var id) ? id : data.GetProperty("work_order_log_id")).GetGuid();
}
