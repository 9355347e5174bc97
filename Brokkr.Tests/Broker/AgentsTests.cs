using System.Net;
using System.Text.Json;

namespace Brokkr.Tests.Broker;

/// <summary>Agents (spec §4.3–§4.5): CRUD, the self lookup, labels, annotations, heartbeat, events, rotation.</summary>
public sealed class AgentsTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private readonly Fleet _fleet = new(broker);
    private HttpClient Admin => _fleet.Admin;

    [Fact]
    public async Task Admin_creates_an_agent_registered_with_the_system_and_listed_generators()
    {
        var generator = await _fleet.GeneratorAsync();
        var name = Fleet.Unique("edge");
        var created = await Admin.Send("POST", "/agents", new { name, cluster_name = "prod", generator_ids = new[] { generator.Id } }).Expect(201);
        var agent = created.GetProperty("agent");
        Assert.Equal("INACTIVE", agent.Str("status"));
        Assert.Equal("prod", agent.Str("cluster_name"));
        foreach (var nullable in new[] { "last_heartbeat", "k8s_reachable", "k8s_api_latency_ms", "k8s_reported_at", "deleted_at" })
        {
            Assert.Equal(JsonValueKind.Null, agent.GetProperty(nullable).ValueKind);
        }
        Assert.False(agent.TryGetProperty("pak_hash", out _));
        Assert.StartsWith("brokkr_BR", created.Str("initial_pak"));

        var registrations = await broker.Client(created.Str("initial_pak")).Send("GET", $"/agents/{agent.Id()}/registrations").Expect(200);
        Assert.Equal(2, registrations.GetArrayLength());
        Assert.Contains(registrations.EnumerateArray(), r => r.Id("generator_id") == generator.Id);
        Assert.Contains((await Admin.Send("GET", "/agents").Expect(200)).EnumerateArray(), a => a.Id() == agent.Id());

        var whoAmI = await broker.Client(created.Str("initial_pak")).Send("POST", "/auth/pak").Expect(200);
        Assert.Equal(agent.Id(), whoAmI.Id("agent"));
        Assert.Equal(JsonValueKind.Null, whoAmI.GetProperty("generator").ValueKind);

        var clash = await Admin.Send("POST", "/agents", new { name, cluster_name = "prod" }).Expect(409);
        Assert.Equal("unique_agent_cluster", clash.GetProperty("details").Str("constraint"));
        await Admin.Send("POST", "/agents", new { name, cluster_name = "staging" }).Expect(201);
    }

    [Fact]
    public async Task The_agent_finds_itself_by_name_and_cluster_through_the_trailing_slash_form()
    {
        var name = Fleet.Unique("edge");
        var created = await Admin.Send("POST", "/agents", new { name, cluster_name = "eu" }).Expect(201);
        var self = broker.Client(created.Str("initial_pak"));

        var found = await self.Send("GET", $"/agents/?name={name}&cluster_name=eu").Expect(200);
        Assert.Equal(JsonValueKind.Object, found.ValueKind);
        Assert.Equal(created.GetProperty("agent").Id(), found.Id());
        await self.Send("GET", $"/agents/?name={name}").ExpectError(400, "name_and_cluster_required");
        await Admin.Send("GET", $"/agents/?name={name}&cluster_name=us").ExpectError(404, "agent_not_found");
        // Without the slash it is the list, which agents may not read.
        await self.Send("GET", $"/agents?name={name}&cluster_name=eu").ExpectError(403, "generator_required");
    }

    [Fact]
    public async Task PUT_applies_only_name_cluster_and_status()
    {
        var agent = await _fleet.AgentAsync();
        var before = await Admin.Send("GET", $"/agents/{agent.Id}").Expect(200);
        var updated = await broker.Client(agent.Pak).Send("PUT", $"/agents/{agent.Id}", new
        {
            status = "ACTIVE", name = "renamed-" + agent.Id, k8s_reachable = true, id = Guid.NewGuid(), cluster_name = 7,
        }).Expect(200);
        Assert.Equal("ACTIVE", updated.Str("status"));
        Assert.Equal("renamed-" + agent.Id, updated.Str("name"));
        Assert.Equal(before.Str("cluster_name"), updated.Str("cluster_name"));
        Assert.Equal(agent.Id, updated.Id());
        Assert.Equal(JsonValueKind.Null, updated.GetProperty("k8s_reachable").ValueKind);
        await Admin.Send("PUT", $"/agents/{Guid.NewGuid()}", new { status = "ACTIVE" }).ExpectError(404, "agent_not_found");
    }

    [Fact]
    public async Task Deleting_an_agent_revokes_its_PAK_and_is_idempotent()
    {
        var agent = await _fleet.AgentAsync();
        var client = broker.Client(agent.Pak);
        await client.Send("POST", "/auth/pak").Expect(200);
        await Admin.Send("DELETE", $"/agents/{agent.Id}").Expect(204);
        using (var refused = await client.Send("GET", $"/agents/{agent.Id}"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        await Admin.Send("GET", $"/agents/{agent.Id}").ExpectError(404, "agent_not_found");
        await Admin.Send("DELETE", $"/agents/{agent.Id}").Expect(204);
        await Admin.Send("DELETE", $"/agents/{Guid.NewGuid()}").Expect(204);
        Assert.DoesNotContain((await Admin.Send("GET", "/agents").Expect(200)).EnumerateArray(), a => a.Id() == agent.Id);
    }

    [Fact]
    public async Task Labels_and_annotations_are_added_listed_and_removed_by_the_admin()
    {
        var agent = await _fleet.AgentAsync();
        var label = await Admin.Send("POST", $"/agents/{agent.Id}/labels", new { agent_id = agent.Id, label = "gpu" }).Expect(201);
        Assert.Equal(agent.Id, label.Id("agent_id"));
        Assert.Equal("gpu", label.Str("label"));
        await Admin.Send("POST", $"/agents/{agent.Id}/labels", new { agent_id = agent.Id, label = "gpu" }).ExpectError(409, "unique_violation");
        await Admin.Send("POST", $"/agents/{agent.Id}/labels", new { agent_id = Guid.NewGuid(), label = "x" }).ExpectError(400, "agent_id_mismatch");
        var annotation = await Admin.Send("POST", $"/agents/{agent.Id}/annotations", new { agent_id = agent.Id, key = "region", value = "eu" }).Expect(201);
        Assert.Equal("region", annotation.Str("key"));
        Assert.Equal("eu", annotation.Str("value"));
        await Admin.Send("POST", $"/agents/{agent.Id}/annotations", new { agent_id = agent.Id, key = "region", value = "us" }).ExpectError(409, "unique_violation");

        var self = broker.Client(agent.Pak);
        Assert.Equal(["gpu"], (await self.Send("GET", $"/agents/{agent.Id}/labels").Expect(200)).EnumerateArray().Select(l => l.Str("label")));
        Assert.Equal(["region"], (await self.Send("GET", $"/agents/{agent.Id}/annotations").Expect(200)).EnumerateArray().Select(a => a.Str("key")));

        await Admin.Send("DELETE", $"/agents/{agent.Id}/labels/gpu").Expect(204);
        await Admin.Send("DELETE", $"/agents/{agent.Id}/labels/gpu").ExpectError(404, "agent_label_not_found");
        await Admin.Send("DELETE", $"/agents/{agent.Id}/annotations/region").Expect(204);
        await Admin.Send("DELETE", $"/agents/{agent.Id}/annotations/region").ExpectError(404, "agent_annotation_not_found");
        Assert.Equal(0, (await self.Send("GET", $"/agents/{agent.Id}/labels").Expect(200)).GetArrayLength());
        await Admin.Send("POST", $"/agents/{Guid.NewGuid()}/labels", new { agent_id = (Guid?)null, label = "x" }).ExpectError(422, "invalid_body");
    }

    [Fact]
    public async Task Heartbeat_records_time_and_optional_Kubernetes_report_but_never_status()
    {
        var agent = await _fleet.AgentAsync();
        var self = broker.Client(agent.Pak);
        await self.Send("POST", $"/agents/{agent.Id}/heartbeat", new { k8s_reachable = false, k8s_api_latency_ms = (int?)null }).Expect(204);
        var first = await self.Send("GET", $"/agents/{agent.Id}").Expect(200);
        Assert.False(first.GetProperty("k8s_reachable").GetBoolean());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("k8s_api_latency_ms").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, first.GetProperty("k8s_reported_at").ValueKind);
        Assert.Equal("INACTIVE", first.Str("status"));

        // No body, or an unreadable one, is a heartbeat without a report: the last report stays.
        await self.Send("POST", $"/agents/{agent.Id}/heartbeat").Expect(204);
        await self.Send("POST", $"/agents/{agent.Id}/heartbeat", BrokerHttp.Raw("{not json", "application/json")).Expect(204);
        var second = await self.Send("GET", $"/agents/{agent.Id}").Expect(200);
        Assert.False(second.GetProperty("k8s_reachable").GetBoolean());
        Assert.Equal(first.Str("k8s_reported_at"), second.Str("k8s_reported_at"));
        Assert.True(second.GetProperty("last_heartbeat").GetDateTime() > first.GetProperty("last_heartbeat").GetDateTime());
    }

    [Fact]
    public async Task Events_are_recorded_listed_newest_first_and_visible_to_the_admin()
    {
        var generator = await _fleet.GeneratorAsync();
        var agent = await _fleet.AgentAsync(generator.Id);
        var stack = await _fleet.StackAsync(generator);
        var first = (await _fleet.DeploymentObjectAsync(generator, stack)).Id();
        var second = (await _fleet.DeploymentObjectAsync(generator, stack, "kind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\n")).Id();
        var self = broker.Client(agent.Pak);

        var failure = await self.Send("POST", $"/agents/{agent.Id}/events", new
        {
            agent_id = agent.Id, deployment_object_id = first, event_type = "DEPLOY", status = "failure", message = "boom",
        }).Expect(201);
        Assert.Equal("FAILURE", failure.Str("status"));
        Assert.Equal("boom", failure.Str("message"));
        var success = await self.Send("POST", $"/agents/{agent.Id}/events", new
        {
            agent_id = agent.Id, deployment_object_id = second, event_type = "DEPLOY", status = "SUCCESS",
        }).Expect(201);
        Assert.Equal(JsonValueKind.Null, success.GetProperty("message").ValueKind);

        var events = await self.Send("GET", $"/agents/{agent.Id}/events").Expect(200);
        Assert.Equal([success.Id(), failure.Id()], events.EnumerateArray().Select(e => e.Id()));
        Assert.Equal(success.Id(), (await Admin.Send("GET", $"/agent-events/{success.Id()}").Expect(200)).Id());
        await Admin.Send("GET", $"/agent-events/{Guid.NewGuid()}").ExpectError(404, "agent_event_not_found");
        var scoped = await Admin.Send("GET", $"/agent-events?pak_id={generator.Id}").Expect(200);
        Assert.Equal(new[] { failure.Id(), success.Id() }.Order(), scoped.EnumerateArray().Select(e => e.Id()).Order());
        Assert.Contains((await Admin.Send("GET", "/agent-events").Expect(200)).EnumerateArray(), e => e.Id() == failure.Id());

        await self.Send("POST", $"/agents/{agent.Id}/events", new
        {
            agent_id = agent.Id, deployment_object_id = Guid.NewGuid(), event_type = "DEPLOY", status = "SUCCESS",
        }).ExpectError(422, "foreign_key_violation");
    }

    [Fact]
    public async Task Rotating_an_agent_PAK_answers_200_and_retires_the_old_one()
    {
        var agent = await _fleet.AgentAsync();
        var old = broker.Client(agent.Pak);
        await old.Send("POST", "/auth/pak").Expect(200);
        var rotated = await old.Send("POST", $"/agents/{agent.Id}/rotate-pak").Expect(200);
        Assert.Equal(agent.Id, rotated.GetProperty("agent").Id());
        using (var refused = await old.Send("POST", "/auth/pak"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        await broker.Client(rotated.Str("pak")).Send("GET", $"/agents/{agent.Id}").Expect(200);
        await Admin.Send("POST", $"/agents/{Guid.NewGuid()}/rotate-pak").ExpectError(404, "agent_not_found");
        await Admin.Send("GET", $"/agents/{Guid.NewGuid()}/registrations").ExpectError(404, "agent_not_found");
    }

    [Theory]
    [InlineData("Bearer {0}")]
    [InlineData("bearer {0}")]
    [InlineData("{0}")]
    [InlineData("  Bearer   {0}  ")]
    public async Task Both_Authorization_header_forms_are_accepted(string format)
    {
        using var client = new HttpClient { BaseAddress = broker.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/pak");
        request.Headers.TryAddWithoutValidation("Authorization", string.Format(format, BrokerHost.DevAdminPak));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(body.GetProperty("admin").GetBoolean());
    }
}
