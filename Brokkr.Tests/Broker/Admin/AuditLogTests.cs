using System.Text.Json;
using Brokkr.Broker.Audit;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.Tests.Broker.Admin;

/// <summary>The audit trail over real HTTP and PostgreSQL: what each write records, 401s, secrets, the query API, retention.</summary>
public sealed class AuditLogTests(AuditBroker broker) : IClassFixture<AuditBroker>
{
    private const string Template = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ name }}\n";

    private readonly Fleet _fleet = new(broker);

    private HttpClient Admin => _fleet.Admin;

    [Fact]
    public async Task Every_kind_of_write_is_recorded_with_actor_target_and_source_and_no_PAK_anywhere()
    {
        var paks = new List<string>();
        // Generator: created (with its PAK), updated, PAK rotated.
        var created = await Admin.Send("POST", "/generators", new { name = Fleet.Unique("audited") }).Expect(201);
        var generator = new Tenant(created.GetProperty("generator").Id(), created.GetProperty("pak").GetString()!);
        paks.Add(generator.Pak);
        var record = created.GetProperty("generator");
        await Admin.Send("PUT", $"/generators/{generator.Id}", new
        {
            id = generator.Id, created_at = record.GetProperty("created_at").GetDateTime(), updated_at = record.GetProperty("updated_at").GetDateTime(),
            name = Fleet.Unique("renamed"), is_active = true, is_system = false,
        }).Expect(200);
        var rotated = (await broker.Client(generator.Pak).Send("POST", $"/generators/{generator.Id}/rotate-pak").Expect(201)).GetProperty("pak").GetString()!;
        paks.Add(rotated);
        generator = generator with { Pak = rotated };

        // Agent: created, updated, labelled, registered, rotated.
        var agentBody = await Admin.Send("POST", "/agents", new { name = Fleet.Unique("agent"), cluster_name = "c1" }).Expect(201);
        var agent = new Tenant(agentBody.GetProperty("agent").Id(), agentBody.GetProperty("initial_pak").GetString()!);
        paks.Add(agent.Pak);
        await Admin.Send("PUT", $"/agents/{agent.Id}", new { cluster_name = "c2" }).Expect(200);
        await Admin.Send("POST", $"/agents/{agent.Id}/labels", new { agent_id = agent.Id, label = "audited" }).Expect(201);
        await Admin.Send("POST", $"/generators/{generator.Id}/register", new { agent_id = agent.Id }).Expect(201);
        paks.Add((await broker.Client(agent.Pak).Send("POST", $"/agents/{agent.Id}/rotate-pak").Expect(200)).GetProperty("pak").GetString()!);

        // Stack and deployment object, by the generator itself.
        var asGenerator = broker.Client(generator.Pak);
        asGenerator.DefaultRequestHeaders.UserAgent.ParseAdd("audit-test/1.0");
        var stack = await asGenerator.Send("POST", "/stacks", new { name = Fleet.Unique("stack"), generator_id = generator.Id }).Expect(201);
        var stackId = stack.Id();
        await asGenerator.Send("PUT", $"/stacks/{stackId}", new
        {
            id = stackId, created_at = stack.GetProperty("created_at").GetDateTime(), updated_at = stack.GetProperty("updated_at").GetDateTime(),
            name = Fleet.Unique("stack2"), generator_id = generator.Id,
        }).Expect(200);
        var objectId = (await _fleet.DeploymentObjectAsync(generator, stackId)).Id();

        // Template, webhook, work orders.
        var template = (await Admin.Send("POST", "/templates", new { name = Fleet.Unique("tpl"), template_content = Template, parameters_schema = "{}" }).Expect(201)).Id();
        var templateV2 = (await Admin.Send("PUT", $"/templates/{template}", new { template_content = Template, parameters_schema = "{}" }).Expect(200)).Id();
        await Admin.Send("DELETE", $"/templates/{templateV2}").Expect(204);
        var webhook = (await Admin.Send("POST", "/webhooks", new
        {
            name = Fleet.Unique("hook"), url = "http://127.0.0.1:9/hook", event_types = new[] { "workorder.completed" },
            auth_header = "Bearer webhook-secret",
        }).Expect(201)).Id();
        await Admin.Send("PUT", $"/webhooks/{webhook}", new { name = Fleet.Unique("hook2") }).Expect(200);
        await Admin.Send("DELETE", $"/webhooks/{webhook}").Expect(204);
        var orders = new WorkOrders.WorkOrderClient(broker);
        var order = (await orders.CreateAsync(new { agent_ids = new[] { agent.Id } })).Id();
        await orders.Claim(agent with { Pak = paks[^1] }, order).Expect(200);
        await orders.Complete(agent with { Pak = paks[^1] }, order, success: true).Expect(200);
        var cancelled = (await orders.CreateAsync(new { agent_ids = new[] { agent.Id } })).Id();
        await Admin.Send("DELETE", $"/work-orders/{cancelled}").Expect(204);

        // Deletions, which revoke the PAKs of agents and generators.
        await asGenerator.Send("DELETE", $"/stacks/{stackId}").Expect(204);
        await Admin.Send("DELETE", $"/agents/{agent.Id}").Expect(204);

        var generatorEntries = await broker.AuditAsync($"resource_id={generator.Id}", l => l.Count >= 4);
        Assert.Equal(["generator.created", "generator.updated", "pak.created", "pak.rotated"], generatorEntries.Select(Action).Order());
        var rotation = generatorEntries.Single(e => Action(e) == "pak.rotated");
        Assert.Equal(("generator", generator.Id, "pak"), (rotation.GetProperty("actor_type").GetString(), rotation.Id("actor_id"),
            rotation.GetProperty("resource_type").GetString()));
        Assert.Equal("127.0.0.1", rotation.GetProperty("ip_address").GetString());

        var agentEntries = await broker.AuditAsync($"resource_id={agent.Id}", l => l.Count >= 8);
        Assert.Equal(["agent.created", "agent.deleted", "agent.registered", "agent.updated", "agent.updated", "pak.created", "pak.revoked", "pak.rotated"],
            agentEntries.Select(Action).Order());
        var label = agentEntries.Single(e => Action(e) == "agent.updated" && e.GetProperty("details").ValueKind == JsonValueKind.Object);
        Assert.Equal(("label_added", "admin", "admin"), (label.GetProperty("details").GetProperty("change").GetString(),
            label.GetProperty("actor_type").GetString(), label.GetProperty("actor_name").GetString()));
        var registered = agentEntries.Single(e => Action(e) == "agent.registered");
        Assert.Equal(generator.Id.ToString(), registered.GetProperty("details").GetProperty("generator_id").GetString());

        var stackEntries = await broker.AuditAsync($"resource_id={stackId}", l => l.Count >= 3);
        Assert.Equal(["stack.created", "stack.deleted", "stack.updated"], stackEntries.Select(Action).Order());
        Assert.All(stackEntries, e => Assert.Equal(("generator", generator.Id, "audit-test/1.0"),
            (e.GetProperty("actor_type").GetString(), e.Id("actor_id"), e.GetProperty("user_agent").GetString())));
        // The actor's current name, resolved when read.
        Assert.StartsWith("renamed", stackEntries[0].GetProperty("actor_name").GetString());

        Assert.Equal("deployment_object.created", Action((await broker.AuditAsync($"resource_id={objectId}", l => l.Count >= 1)).Single()));
        Assert.Equal(["template.created", "template.updated"], (await broker.AuditAsync($"resource_id={template}", l => l.Count >= 2)).Select(Action).Order());
        Assert.Equal("template.deleted", Action((await broker.AuditAsync($"resource_id={templateV2}", l => l.Count >= 1)).Single()));
        var hookEntries = await broker.AuditAsync($"resource_id={webhook}", l => l.Count >= 3);
        Assert.Equal(["webhook.created", "webhook.deleted", "webhook.updated"], hookEntries.Select(Action).Order());
        Assert.All(hookEntries, e => Assert.Equal("webhook_subscription", e.GetProperty("resource_type").GetString()));
        Assert.Equal(["workorder.claimed", "workorder.completed", "workorder.created"], (await broker.AuditAsync($"resource_id={order}", l => l.Count >= 3)).Select(Action).Order());
        Assert.Equal(["workorder.created", "workorder.deleted"], (await broker.AuditAsync($"resource_id={cancelled}", l => l.Count >= 2)).Select(Action).Order());

        // Refused writes record nothing: a generator may not delete another's stack.
        var other = await _fleet.GeneratorAsync();
        var foreign = await _fleet.StackAsync(other);
        await asGenerator.Send("DELETE", $"/stacks/{foreign}").Expect(403);
        await broker.AuditAsync($"resource_id={foreign}", l => l.Count >= 1);
        Assert.DoesNotContain("stack.deleted", (await broker.AuditAsync($"resource_id={foreign}", _ => true)).Select(Action));

        await AssertNoSecretsAsync(paks.Append("webhook-secret"));
    }

    [Fact]
    public async Task A_401_is_recorded_with_its_source_address_and_never_the_presented_key()
    {
        var presented = "brokkr_BRzz9Q2x_" + Convert.ToHexString(Guid.NewGuid().ToByteArray());
        using var stranger = new HttpClient { BaseAddress = broker.BaseAddress };
        stranger.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + presented);
        Assert.Equal(401, (int)(await stranger.GetAsync("/api/v1/stacks")).StatusCode);
        using var anonymous = new HttpClient { BaseAddress = broker.BaseAddress };
        Assert.Equal(401, (int)(await anonymous.GetAsync("/api/v1/agents?probe=missing")).StatusCode);

        var failures = await broker.AuditAsync("action=auth.failed", l => l.Any(Reason("unknown")) && l.Any(Reason("missing")));
        var unknown = failures.First(Reason("unknown"));
        Assert.Equal(("system", "system", JsonValueKind.Null), (unknown.GetProperty("actor_type").GetString(),
            unknown.GetProperty("resource_type").GetString(), unknown.GetProperty("actor_id").ValueKind));
        Assert.Equal("127.0.0.1", unknown.GetProperty("ip_address").GetString());
        Assert.Equal("/api/v1/stacks", unknown.GetProperty("details").GetProperty("path").GetString());
        await AssertNoSecretsAsync([presented]);
    }

    [Fact]
    public async Task Filters_and_paging_select_newest_first()
    {
        var generator = await _fleet.GeneratorAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var stacks = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            stacks.Add(await _fleet.StackAsync(generator));
        }
        var query = $"actor_type=generator&actor_id={generator.Id}&action=stack.*&resource_type=stack&from={Uri.EscapeDataString(before.ToString("O"))}";
        var all = await broker.AuditAsync(query, l => stacks.All(s => l.Any(e => e.Id("resource_id") == s)));
        var mine = all.Where(e => stacks.Contains(e.Id("resource_id"))).Select(e => e.Id("resource_id")).ToList();
        Assert.Equal(Enumerable.Reverse(stacks), mine);

        var page = await Admin.Send("GET", $"/admin/audit-logs?{query}&limit=2&offset=1").Expect(200);
        Assert.Equal((all.Count, 2, 2L, 1L), (page.GetProperty("total").GetInt64(), page.GetProperty("count").GetInt32(),
            page.GetProperty("limit").GetInt64(), page.GetProperty("offset").GetInt64()));
        Assert.Equal(all.Skip(1).Take(2).Select(e => e.Id()), page.GetProperty("logs").EnumerateArray().Select(e => e.Id()));

        var one = await Admin.Send("GET", $"/admin/audit-logs?resource_id={stacks[2]}&action=stack.created").Expect(200);
        Assert.Equal(stacks[2], one.GetProperty("logs").EnumerateArray().Single().Id("resource_id"));
        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("O"));
        Assert.Equal(0, (await Admin.Send("GET", $"/admin/audit-logs?from={future}").Expect(200)).GetProperty("total").GetInt64());
        Assert.Equal(0, (await Admin.Send("GET", $"/admin/audit-logs?{query}&to={Uri.EscapeDataString(before.ToString("O"))}").Expect(200)).GetProperty("total").GetInt64());
        Assert.Equal(0, (await Admin.Send("GET", $"/admin/audit-logs?action=stack").Expect(200)).GetProperty("total").GetInt64());
        Assert.Equal(1000, (await Admin.Send("GET", "/admin/audit-logs?limit=5000").Expect(200)).GetProperty("limit").GetInt64());

        await Admin.Send("GET", "/admin/audit-logs?actor_type=robot").ExpectError(400, "invalid_query");
        await Admin.Send("GET", "/admin/audit-logs?limit=0").ExpectError(400, "invalid_query");
        await Admin.Send("GET", "/admin/audit-logs?actor_id=nope").ExpectError(400, "invalid_path");
        await broker.Client(generator.Pak).Send("GET", "/admin/audit-logs").ExpectError(403, "admin_required");
    }

    [Fact]
    public async Task Retention_deletes_entries_past_the_retention_period_only()
    {
        var old = Guid.NewGuid();
        var recent = Guid.NewGuid();
        const string insert = """
            INSERT INTO audit_logs (id, timestamp, actor_type, action, resource_type, resource_id, created_at)
            VALUES ($1, now() - make_interval(days => $2), 'system', 'test.retention', 'system', $1, now() - make_interval(days => $2))
            """;
        await broker.ScalarAsync(insert, old, 91);
        await broker.ScalarAsync(insert, recent, 89);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await broker.ScalarAsync("SELECT count(*) FROM audit_logs WHERE id = $1", old) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the 91-day-old entry was never deleted");
            await Task.Delay(100);
        }
        Assert.Equal(1, await broker.ScalarAsync("SELECT count(*) FROM audit_logs WHERE id = $1", recent));
    }

    [Fact]
    public void Every_write_route_is_either_audited_or_exempt_with_a_reason()
    {
        var writes = broker.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Where(m => m != "GET")
                .Select(m => AuditedRoutes.Key(m, e.RoutePattern.RawText)))
            .OfType<string>().ToHashSet();
        var classified = AuditedRoutes.Routes.Keys.Concat(AuditedRoutes.NotAudited.Keys).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unclassified = writes.Where(w => !classified.Contains(w)).ToList();
        Assert.True(unclassified.Count == 0, "write routes neither audited nor exempt: " + string.Join(", ", unclassified));
        // No stale entries: every listed route exists.
        var stale = classified.Where(c => !writes.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
        Assert.True(stale.Count == 0, "listed routes that do not exist: " + string.Join(", ", stale));
    }

    /// <summary>No PAK — nor its short or long part — nor any other secret appears in any column of any audit row.</summary>
    private async Task AssertNoSecretsAsync(IEnumerable<string> secrets)
    {
        foreach (var secret in secrets)
        {
            var parts = secret.Split('_');
            foreach (var part in parts.Length == 3 ? parts[1..] : [secret])
            {
                Assert.Equal(0, await broker.ScalarAsync("SELECT count(*) FROM audit_logs a WHERE strpos(a::text, $1) > 0", part));
            }
        }
        Assert.True(await broker.ScalarAsync("SELECT count(*) FROM audit_logs") > 0);
    }

    private static string? Action(JsonElement entry) => entry.GetProperty("action").GetString();

    private static Func<JsonElement, bool> Reason(string reason) => e =>
        e.GetProperty("details").GetProperty("reason").GetString() == reason;
}
