using System.Text.Json;
using Brokkr.Tests.Broker;
using Npgsql;

namespace Brokkr.Tests.Webhooks;

/// <summary>Events become deliveries that reach a real receiver on loopback: once each, retried, dead-lettered, never stalled.</summary>
public sealed class WebhookDeliveryTests(WebhookBroker broker) : IClassFixture<WebhookBroker>, IAsyncLifetime
{
    private const string AuthHeader = "Bearer receiver-secret-7c1f";
    private WebhookReceiver _receiver = null!;

    private HttpClient Admin => broker.Client();

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private async Task<Guid> SubscribeAsync(string path, string[] eventTypes, object? filters = null, int maxRetries = 5, int timeoutSeconds = 30,
        string[]? targetLabels = null) =>
        (await Admin.Send("POST", "/webhooks", new
        {
            name = Fleet.Unique("hook"), url = _receiver.Url(path), auth_header = AuthHeader, event_types = eventTypes, filters,
            max_retries = maxRetries, timeout_seconds = timeoutSeconds, target_labels = targetLabels,
        }).Expect(201)).Id();

    private async Task<JsonElement> DeliveriesAsync(Guid subscription, string? status = null) =>
        await Admin.Send("GET", $"/webhooks/{subscription}/deliveries" + (status is null ? "" : $"?status={status}")).Expect(200);

    [Fact]
    public async Task Every_event_type_fires_once_per_change_with_its_ids_and_a_valid_signature()
    {
        var path = $"/ok/all-{Guid.NewGuid():N}";
        var subscription = await SubscribeAsync(path, ["*"]);
        var fleet = new Fleet(broker);
        var generator = await fleet.GeneratorAsync();
        var agent = await fleet.AgentAsync(generator.Id);
        var stack = await fleet.StackAsync(generator);
        var deployment = (await fleet.DeploymentObjectAsync(generator, stack)).Id();
        var agentClient = broker.Client(agent.Pak);
        await agentClient.Send("POST", $"/agents/{agent.Id}/events",
            new { agent_id = agent.Id, deployment_object_id = deployment, event_type = "DEPLOY", status = "FAILURE", message = "boom" }).Expect(201);
        await agentClient.Send("POST", $"/agents/{agent.Id}/events",
            new { agent_id = agent.Id, deployment_object_id = deployment, event_type = "DEPLOY", status = "SUCCESS" }).Expect(201);
        // Changes that are no event (a heartbeat, renames) queue nothing: the exact list below would show them.
        await agentClient.Send("POST", $"/agents/{agent.Id}/heartbeat", new { k8s_reachable = true }).Expect(204);
        await Admin.Send("PUT", $"/agents/{agent.Id}", new { name = Fleet.Unique("renamed"), status = "ACTIVE" }).Expect(200);
        await broker.Client(generator.Pak).Send("PUT", $"/stacks/{stack}", new
        {
            id = stack, created_at = DateTime.UtcNow, updated_at = DateTime.UtcNow, name = Fleet.Unique("renamed"), generator_id = generator.Id,
        }).Expect(200);
        await broker.Client(generator.Pak).Send("DELETE", $"/stacks/{stack}").Expect(204);
        await Admin.Send("DELETE", $"/agents/{agent.Id}").Expect(204);

        string[] expected =
        [
            "agent.registered", "stack.created", "deployment.created", "deployment.failed", "deployment.applied", "stack.deleted",
            "deployment.deleted", "agent.deregistered",
        ];
        bool Mine(ReceivedWebhook r)
        {
            var data = r.Json.GetProperty("data");
            return new[] { "agent_id", "stack_id", "deployment_object_id" }.Any(p =>
                data.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String && v.GetGuid() is var g &&
                (g == agent.Id || g == stack || g == deployment));
        }
        await WebhookReceiver.Eventually(() => expected.All(t => _receiver.At(path).Any(r => r.EventType == t && Mine(r))), "every event type");
        await WebhookReceiver.Eventually(async () => (await DeliveriesAsync(subscription, "pending")).GetArrayLength() == 0, "an idle queue");

        var mine = _receiver.At(path).Where(Mine).ToList();
        Assert.Equal(expected.Order(), mine.Select(r => r.EventType).Order());
        var applied = mine.Single(r => r.EventType == "deployment.applied").Json.GetProperty("data");
        Assert.Equal(stack, applied.GetProperty("stack_id").GetGuid());
        Assert.Equal("SUCCESS", applied.Str("status"));
        Assert.Equal("boom", mine.Single(r => r.EventType == "deployment.failed").Json.GetProperty("data").Str("message"));
        foreach (var received in mine)
        {
            Assert.Equal(AuthHeader, received.Headers["Authorization"]);
            // As docs/webhooks.md tells receivers to check it: HMAC-SHA256 of "<timestamp>.<raw body>", keyed with the auth header.
            var timestamp = received.Headers["X-Brokkr-Timestamp"];
            Assert.InRange(long.Parse(timestamp), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            var mac = System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(AuthHeader),
                System.Text.Encoding.UTF8.GetBytes(timestamp + "." + received.Body));
            Assert.Equal("sha256=" + Convert.ToHexStringLower(mac), received.Headers["X-Brokkr-Signature"]);
            Assert.Equal(received.EventType, received.Headers["X-Brokkr-Event-Type"]);
        }
        var deliveries = await DeliveriesAsync(subscription, "success");
        Assert.All(deliveries.EnumerateArray(), d => Assert.Equal(1, d.GetProperty("attempts").GetInt32()));
        await Admin.Send("DELETE", $"/webhooks/{subscription}").Expect(204);
    }

    [Fact]
    public async Task Filters_narrow_by_stack_and_an_event_without_the_field_never_matches()
    {
        var fleet = new Fleet(broker);
        var generator = await fleet.GeneratorAsync();
        var (watched, other) = (await fleet.StackAsync(generator), await fleet.StackAsync(generator));
        var path = $"/ok/filtered-{Guid.NewGuid():N}";
        var subscription = await SubscribeAsync(path, ["deployment.*", "agent.*"], filters: new { stack_id = watched });
        await fleet.DeploymentObjectAsync(generator, other);
        var wanted = (await fleet.DeploymentObjectAsync(generator, watched)).Id();
        await fleet.AgentAsync();

        await WebhookReceiver.Eventually(() => _receiver.At(path).Any(), "the watched stack's deployment");
        await WebhookReceiver.Eventually(async () => (await DeliveriesAsync(subscription)).GetArrayLength() >= 1, "the delivery record");
        var only = Assert.Single((await DeliveriesAsync(subscription)).EnumerateArray());
        Assert.Equal("deployment.created", only.Str("event_type"));
        Assert.Equal(wanted, JsonDocument.Parse(only.Str("payload")).RootElement.GetProperty("data").GetProperty("deployment_object_id").GetGuid());
    }

    [Fact]
    public async Task A_receiver_that_is_down_is_retried_with_backoff_then_dead_lettered_and_a_404_dead_letters_at_once()
    {
        var down = await SubscribeAsync("/down/x", ["stack.created"], maxRetries: 3);
        var gone = await SubscribeAsync("/gone/x", ["stack.created"], maxRetries: 3);
        var fleet = new Fleet(broker);
        await fleet.StackAsync(await fleet.GeneratorAsync());

        await WebhookReceiver.Eventually(async () => (await DeliveriesAsync(down, "dead")).GetArrayLength() == 1, "the dead letter");
        var dead = (await DeliveriesAsync(down, "dead"))[0];
        Assert.Equal(3, dead.GetProperty("attempts").GetInt32());
        Assert.StartsWith("HTTP 503", dead.Str("last_error"));
        Assert.NotEqual(JsonValueKind.Null, dead.GetProperty("completed_at").ValueKind);
        var attempts = _receiver.At("/down/x").ToList();
        Assert.Equal(3, attempts.Count);
        // One delivery id on every attempt (receivers deduplicate by it), and the backoff doubles from 0.2 s.
        Assert.All(attempts, a => Assert.Equal(dead.Id(), a.DeliveryId));
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromSeconds(0.18), $"retry 1 after {attempts[1].At - attempts[0].At}");
        Assert.True(attempts[2].At - attempts[1].At >= TimeSpan.FromSeconds(0.38), $"retry 2 after {attempts[2].At - attempts[1].At}");

        await WebhookReceiver.Eventually(async () => (await DeliveriesAsync(gone, "dead")).GetArrayLength() == 1, "the 404 dead letter");
        var gone404 = (await DeliveriesAsync(gone, "dead"))[0];
        Assert.Equal(1, gone404.GetProperty("attempts").GetInt32());
        Assert.StartsWith("HTTP 404", gone404.Str("last_error"));
        foreach (var id in new[] { down, gone }) await Admin.Send("DELETE", $"/webhooks/{id}").Expect(204);
    }

    [Fact]
    public async Task A_slow_receiver_holds_its_own_delivery_only()
    {
        var slow = await SubscribeAsync("/slow/x", ["stack.created"], timeoutSeconds: 60);
        var fast = await SubscribeAsync($"/ok/fast-{Guid.NewGuid():N}", ["stack.created"]);
        var fleet = new Fleet(broker);
        var generator = await fleet.GeneratorAsync();
        await fleet.StackAsync(generator);
        await WebhookReceiver.Eventually(() => _receiver.At("/slow/x").Any(), "the slow receiver to be holding a request");
        // While the first slow request is held, later events keep flowing to the other subscription.
        for (var i = 0; i < 3; i++)
        {
            await fleet.StackAsync(generator);
        }
        await WebhookReceiver.Eventually(async () => (await DeliveriesAsync(fast, "success")).GetArrayLength() == 4, "the fast deliveries", seconds: 15);
        Assert.Contains((await DeliveriesAsync(slow, "acquired")).EnumerateArray(), d => d.GetProperty("attempts").GetInt32() == 0);
        foreach (var id in new[] { slow, fast }) await Admin.Send("DELETE", $"/webhooks/{id}").Expect(204);
    }

    [Fact]
    public async Task Test_sends_one_event_now_and_says_when_the_receiver_refuses_it()
    {
        var ok = await SubscribeAsync($"/ok/test-{Guid.NewGuid():N}", ["workorder.*"]);
        var result = await Admin.Send("POST", $"/webhooks/{ok}/test").Expect(200);
        Assert.True(result.GetProperty("success").GetBoolean());
        var received = Assert.Single(_receiver.Received, r => r.EventType == "webhook.test" && r.Body.Contains(ok.ToString()));
        Assert.Equal(ok, received.Json.GetProperty("data").GetProperty("subscription_id").GetGuid());
        Assert.Equal(0, (await DeliveriesAsync(ok)).GetArrayLength());

        var gone = await SubscribeAsync("/gone/test", ["workorder.*"]);
        await Admin.Send("POST", $"/webhooks/{gone}/test").ExpectError(400, "webhook_test_failed");
        await Admin.Send("POST", $"/webhooks/{Guid.NewGuid()}/test").ExpectError(404, "webhook_not_found");
    }

    [Fact]
    public async Task The_url_and_auth_header_are_never_stored_returned_or_logged_in_clear()
    {
        const string urlSecret = "url-token-5d2e9a";
        var path = $"/ok/secret/{urlSecret}";
        var subscription = await SubscribeAsync(path, ["stack.created"]);
        await Admin.Send("PUT", $"/webhooks/{subscription}", new { auth_header = AuthHeader, url = _receiver.Url(path) }).Expect(200);
        var fleet = new Fleet(broker);
        await fleet.StackAsync(await fleet.GeneratorAsync());
        await WebhookReceiver.Eventually(() => _receiver.At(path).Any(), "the delivery");
        await Admin.Send("POST", $"/webhooks/{subscription}/test").Expect(200);

        await using var connection = new NpgsqlConnection(broker.ConnectionString);
        await connection.OpenAsync();
        await using var dump = new NpgsqlCommand("""
            SELECT string_agg(t::text, E'\n') FROM webhook_subscriptions t
            UNION ALL SELECT string_agg(encode(url_encrypted, 'escape') || encode(COALESCE(auth_header_encrypted, ''), 'escape'), E'\n') FROM webhook_subscriptions
            UNION ALL SELECT string_agg(t::text, E'\n') FROM webhook_deliveries t
            """, connection);
        var stored = new List<string>();
        await using (var reader = await dump.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) stored.Add(reader.IsDBNull(0) ? "" : reader.GetString(0));
        }
        var responses = string.Join("\n", (await Admin.Send("GET", "/webhooks").Expect(200)).GetRawText(),
            (await DeliveriesAsync(subscription)).GetRawText());
        var logs = string.Join("\n", broker.Lines);
        Assert.NotEmpty(broker.Lines);
        foreach (var (where, text) in new[] { ("the database", string.Join("\n", stored)), ("API responses", responses), ("logs", logs) })
        {
            Assert.False(text.Contains(urlSecret), $"the URL appears in {where}");
            Assert.False(text.Contains("receiver-secret-7c1f"), $"the auth header appears in {where}");
        }
    }
}
