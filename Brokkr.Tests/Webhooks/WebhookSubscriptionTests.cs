using System.Text.Json;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Webhooks;

/// <summary>The subscription routes: admin only, secrets write-only, the contract's validation and removed fields.</summary>
public sealed class WebhookSubscriptionTests(WebhookBroker broker) : IClassFixture<WebhookBroker>
{
    private HttpClient Admin => broker.Client();

    [Fact]
    public async Task A_subscription_round_trips_without_ever_showing_its_url_or_auth_header()
    {
        var created = await Admin.Send("POST", "/webhooks", new
        {
            name = "deployments",
            url = "https://hooks.example.com/path?token=url-secret-1",
            auth_header = "Bearer header-secret-1",
            event_types = new[] { "deployment.*", "agent.registered" },
            filters = new { stack_id = Guid.NewGuid() },
            target_labels = new[] { "env:prod" },
            max_retries = 3,
            timeout_seconds = 10,
        }).Expect(201);
        var id = created.Id();
        Assert.True(created.GetProperty("has_url").GetBoolean());
        Assert.True(created.GetProperty("has_auth_header").GetBoolean());
        Assert.Equal(3, created.GetProperty("max_retries").GetInt32());
        Assert.Equal(["env:prod"], created.GetProperty("target_labels").EnumerateArray().Select(e => e.GetString()));
        Assert.False(created.TryGetProperty("url", out _));

        var updated = await Admin.Send("PUT", $"/webhooks/{id}", new { enabled = false, auth_header = (string?)null, filters = (object?)null })
            .Expect(200);
        Assert.False(updated.GetProperty("enabled").GetBoolean());
        Assert.False(updated.GetProperty("has_auth_header").GetBoolean());
        Assert.Equal(JsonValueKind.Null, updated.GetProperty("filters").ValueKind);
        Assert.Equal("deployments", updated.Str("name"));
        Assert.Equal(2, updated.GetProperty("event_types").GetArrayLength());

        foreach (var text in new[]
                 {
                     created.GetRawText(), updated.GetRawText(), (await Admin.Send("GET", $"/webhooks/{id}").Expect(200)).GetRawText(),
                     (await Admin.Send("GET", "/webhooks").Expect(200)).GetRawText(),
                 })
        {
            Assert.DoesNotContain("secret-1", text);
            Assert.DoesNotContain("hooks.example.com", text);
        }

        await Admin.Send("DELETE", $"/webhooks/{id}").Expect(204);
        await Admin.Send("GET", $"/webhooks/{id}").ExpectError(404, "webhook_not_found");
        await Admin.Send("DELETE", $"/webhooks/{id}").ExpectError(404, "webhook_not_found");
    }

    [Fact]
    public async Task The_event_type_catalog_lists_every_type_work_orders_included()
    {
        var types = (await Admin.Send("GET", "/webhooks/event-types").Expect(200)).EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(12, types.Count);
        Assert.Contains("deployment.applied", types);
        Assert.Contains("workorder.completed", types);
    }

    [Fact]
    public async Task Bad_subscriptions_are_refused_with_the_brokkr_codes_and_nothing_is_stored()
    {
        object Body(string? url = "https://ok.example.com/", string[]? types = null, object? extra = null) => new Dictionary<string, object?>
        {
            ["name"] = "bad", ["url"] = url, ["event_types"] = types ?? ["stack.created"],
        }.Concat(extra is null ? [] : JsonSerializer.SerializeToElement(extra).EnumerateObject()
            .Select(p => new KeyValuePair<string, object?>(p.Name, p.Value))).ToDictionary();
        var before = (await Admin.Send("GET", "/webhooks").Expect(200)).GetArrayLength();

        await Admin.Send("POST", "/webhooks", Body(url: "ftp://example.com/")).ExpectError(400, "invalid_webhook");
        await Admin.Send("POST", "/webhooks", Body(url: "not a url")).ExpectError(400, "invalid_webhook");
        await Admin.Send("POST", "/webhooks", Body(types: ["stack.renamed"])).ExpectError(400, "invalid_webhook");
        await Admin.Send("POST", "/webhooks", Body(types: [])).ExpectError(400, "invalid_webhook");
        await Admin.Send("POST", "/webhooks", Body(extra: new { max_retries = 11 })).ExpectError(422, "invalid_value");
        await Admin.Send("POST", "/webhooks", Body(extra: new { timeout_seconds = 0 })).ExpectError(422, "invalid_value");
        await Admin.Send("POST", "/webhooks", Body(extra: new { validate = true })).ExpectError(422, "unsupported_field");
        await Admin.Send("POST", "/webhooks", Body(extra: new { filters = new { labels = new[] { "a" } } })).ExpectError(422, "unsupported_field");
        await Admin.Send("POST", "/webhooks", Body(extra: new { filters = new { agent_id = "nope" } })).ExpectError(422, "invalid_body");
        await Admin.Send("POST", "/webhooks", new { name = "no-url", event_types = new[] { "*" } }).ExpectError(422, "invalid_body");

        Assert.Equal(before, (await Admin.Send("GET", "/webhooks").Expect(200)).GetArrayLength());
        var id = (await Admin.Send("POST", "/webhooks", Body()).Expect(201)).Id();
        await Admin.Send("PUT", $"/webhooks/{id}", new { filters = new { labels = new[] { "a" } } }).ExpectError(422, "unsupported_field");
        await Admin.Send("PUT", $"/webhooks/{id}", new { max_retries = -1 }).ExpectError(422, "invalid_value");
        await Admin.Send("GET", $"/webhooks/{id}/deliveries?status=lost").ExpectError(400, "invalid_status");
        await Admin.Send("GET", $"/webhooks/{Guid.NewGuid()}/deliveries").ExpectError(404, "webhook_not_found");
    }

    [Fact]
    public async Task Only_the_admin_manages_subscriptions_and_only_agents_report_results()
    {
        var fleet = new Fleet(broker);
        var generator = await fleet.GeneratorAsync();
        var agent = await fleet.AgentAsync();
        foreach (var pak in new[] { generator.Pak, agent.Pak })
        {
            var client = broker.Client(pak);
            await client.Send("GET", "/webhooks").ExpectError(403, "admin_required");
            await client.Send("GET", "/webhooks/event-types").ExpectError(403, "admin_required");
            await client.Send("POST", "/webhooks", new { name = "x", url = "https://x.example.com/", event_types = new[] { "*" } })
                .ExpectError(403, "admin_required");
        }
        await broker.Client(generator.Pak).Send("GET", $"/agents/{agent.Id}/webhooks/pending").ExpectError(403, "agent_pak_mismatch");
        await Admin.Send("POST", $"/webhook-deliveries/{Guid.NewGuid()}/result", new { success = true }).ExpectError(403, "agent_required");
        await broker.Client(agent.Pak).Send("POST", $"/webhook-deliveries/{Guid.NewGuid()}/result", new { success = true })
            .ExpectError(404, "delivery_not_found");
        Assert.Equal(0, (await broker.Client(agent.Pak).Send("GET", $"/agents/{agent.Id}/webhooks/pending").Expect(200)).GetArrayLength());
    }
}
