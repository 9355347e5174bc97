using System.Net;
using System.Text.Json;

namespace Brokkr.Tests.Broker;

/// <summary>Generators (spec §4.1–§4.2, §2.7): CRUD, the system generator, registrations and PAK rotation.</summary>
public sealed class GeneratorsTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private readonly Fleet _fleet = new(broker);
    private HttpClient Admin => _fleet.Admin;

    [Fact]
    public async Task Admin_creates_reads_lists_and_updates_a_generator()
    {
        var name = Fleet.Unique("ci");
        var created = await Admin.Send("POST", "/generators", new { name, description = "builds" }).Expect(201);
        var generator = created.GetProperty("generator");
        Assert.Matches("^brokkr_BR[1-9A-HJ-NP-Za-km-z]{6}_[1-9A-HJ-NP-Za-km-z]{30,34}$", created.Str("pak"));
        Assert.Equal(name, generator.Str("name"));
        Assert.True(generator.GetProperty("is_active").GetBoolean());
        Assert.False(generator.GetProperty("is_system").GetBoolean());
        Assert.Equal(JsonValueKind.Null, generator.GetProperty("deleted_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, generator.GetProperty("last_active_at").ValueKind);
        Assert.False(generator.TryGetProperty("pak_hash", out _));
        Assert.EndsWith("Z", generator.Str("created_at"));
        var id = generator.Id();

        Assert.Equal(name, (await Admin.Send("GET", $"/generators/{id}").Expect(200)).Str("name"));
        var list = await Admin.Send("GET", "/generators").Expect(200);
        Assert.Contains(list.EnumerateArray(), g => g.Id() == id);
        Assert.Contains(list.EnumerateArray(), g => g.Str("name") == "admin-generator");
        Assert.DoesNotContain(list.EnumerateArray(), g => g.GetProperty("is_system").GetBoolean());
        var paks = await Admin.Send("GET", "/paks").Expect(200);
        Assert.Contains(paks.EnumerateArray(), p => p.Id() == id && p.Str("name") == name);

        // PUT applies name, description and is_active only; is_system, created_at and deleted_at are ignored.
        var renamed = Fleet.Unique("ci");
        var updated = await broker.Client(created.Str("pak")).Send("PUT", $"/generators/{id}", new
        {
            id, created_at = "2001-01-01T00:00:00Z", updated_at = "2001-01-01T00:00:00Z", deleted_at = "2001-01-01T00:00:00Z",
            name = renamed, is_active = false, is_system = true, description = (string?)null,
        }).Expect(200);
        Assert.Equal(renamed, updated.Str("name"));
        Assert.Equal("builds", updated.Str("description"));
        Assert.False(updated.GetProperty("is_active").GetBoolean());
        Assert.False(updated.GetProperty("is_system").GetBoolean());
        Assert.Equal(generator.Str("created_at"), updated.Str("created_at"));
        Assert.Equal(JsonValueKind.Null, updated.GetProperty("deleted_at").ValueKind);
        Assert.True(updated.GetProperty("updated_at").GetDateTime() > generator.GetProperty("updated_at").GetDateTime());
    }

    [Fact]
    public async Task The_system_generator_is_visible_to_admin_only_by_id_and_cannot_be_deleted()
    {
        var system = await _fleet.SystemGeneratorAsync();
        Assert.True(system.GetProperty("is_system").GetBoolean());
        Assert.Equal("System generator — reserved for fleet-management stacks", system.Str("description"));
        await Admin.Send("DELETE", $"/generators/{system.Id()}").ExpectError(403, "cannot_delete_system_generator");
        // Every agent is registered with it; the admin may list them.
        var agent = await _fleet.AgentAsync();
        var registered = await Admin.Send("GET", $"/generators/{system.Id()}/registered-agents").Expect(200);
        Assert.Contains(registered.EnumerateArray(), r => r.Id("agent_id") == agent.Id);
    }

    [Fact]
    public async Task Deleting_a_generator_revokes_its_PAK_and_soft_deletes_its_stacks_and_objects()
    {
        var generator = await _fleet.GeneratorAsync();
        var stack = await _fleet.StackAsync(generator);
        var deploymentObject = (await _fleet.DeploymentObjectAsync(generator, stack)).Id();
        await broker.Client(generator.Pak).Send("DELETE", $"/generators/{generator.Id}").Expect(204);

        using (var refused = await broker.Client(generator.Pak).Send("POST", "/auth/pak"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        await Admin.Send("GET", $"/generators/{generator.Id}").ExpectError(404, "generator_not_found");
        await Admin.Send("GET", $"/stacks/{stack}").ExpectError(404, "stack_not_found");
        await Admin.Send("GET", $"/deployment-objects/{deploymentObject}").ExpectError(404, "deployment_object_not_found");
        Assert.DoesNotContain((await Admin.Send("GET", "/generators").Expect(200)).EnumerateArray(), g => g.Id() == generator.Id);
        Assert.DoesNotContain((await Admin.Send("GET", "/paks").Expect(200)).EnumerateArray(), p => p.Id() == generator.Id);
    }

    [Fact]
    public async Task A_deleted_generators_name_can_be_reused_but_a_live_one_cannot()
    {
        var name = Fleet.Unique("dup");
        var first = (await Admin.Send("POST", "/generators", new { name }).Expect(201)).GetProperty("generator").Id();
        var clash = await Admin.Send("POST", "/generators", new { name }).Expect(409);
        Assert.Equal("unique_violation", clash.Str("code"));
        Assert.Equal("unique_generator_name", clash.GetProperty("details").Str("constraint"));
        await Admin.Send("DELETE", $"/generators/{first}").Expect(204);
        await Admin.Send("POST", "/generators", new { name }).Expect(201);
    }

    [Fact]
    public async Task Rotating_a_generator_PAK_retires_the_old_one_at_once()
    {
        var generator = await _fleet.GeneratorAsync();
        var oldClient = broker.Client(generator.Pak);
        await oldClient.Send("POST", "/auth/pak").Expect(200); // now cached
        var rotated = await oldClient.Send("POST", $"/generators/{generator.Id}/rotate-pak").Expect(201);
        Assert.Equal(generator.Id, rotated.GetProperty("generator").Id());
        Assert.NotEqual(generator.Pak, rotated.Str("pak"));

        using (var refused = await oldClient.Send("POST", "/auth/pak"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        var whoAmI = await broker.Client(rotated.Str("pak")).Send("POST", "/auth/pak").Expect(200);
        Assert.Equal(generator.Id, whoAmI.Id("generator"));
        Assert.False(whoAmI.GetProperty("admin").GetBoolean());
        Assert.Equal(JsonValueKind.Null, whoAmI.GetProperty("agent").ValueKind);
        Assert.False(whoAmI.GetProperty("readonly").GetBoolean());
        await Admin.Send("POST", $"/generators/{Guid.NewGuid()}/rotate-pak").ExpectError(404, "generator_not_found");
    }

    [Fact]
    public async Task Registration_by_admin_and_by_the_agent_itself()
    {
        var generator = await _fleet.GeneratorAsync();
        var byAdmin = await _fleet.AgentAsync();
        var bySelf = await _fleet.AgentAsync();

        var registration = await Admin.Send("POST", $"/generators/{generator.Id}/register", new { agent_id = byAdmin.Id }).Expect(201);
        Assert.Equal(byAdmin.Id, registration.Id("agent_id"));
        Assert.Equal(generator.Id, registration.Id("generator_id"));
        Assert.EndsWith("Z", registration.Str("registered_at"));
        await Admin.Send("POST", $"/generators/{generator.Id}/register", new { agent_id = byAdmin.Id }).ExpectError(409, "already_registered");

        // An agent registers itself; any agent_id it sends is ignored, and an empty body means {}.
        var self = broker.Client(bySelf.Pak);
        await self.Send("POST", $"/generators/{generator.Id}/register").Expect(201);
        await self.Send("POST", $"/generators/{generator.Id}/register", new { agent_id = byAdmin.Id }).ExpectError(409, "already_registered");

        var agents = await broker.Client(generator.Pak).Send("GET", $"/generators/{generator.Id}/registered-agents").Expect(200);
        Assert.Equal(new[] { byAdmin.Id, bySelf.Id }.Order(), agents.EnumerateArray().Select(r => r.Id("agent_id")).Order());
        var listed = await broker.Client(generator.Pak).Send("GET", "/agents").Expect(200);
        Assert.Equal(new[] { byAdmin.Id, bySelf.Id }.Order(), listed.EnumerateArray().Select(a => a.Id()).Order());

        await Admin.Send("POST", $"/generators/{generator.Id}/register", new { }).ExpectError(400, "missing_agent_id");
        await Admin.Send("POST", $"/generators/{Guid.NewGuid()}/register", new { agent_id = byAdmin.Id }).ExpectError(404, "generator_not_found");
        await Admin.Send("POST", $"/generators/{generator.Id}/register", new { agent_id = Guid.NewGuid() }).ExpectError(422, "foreign_key_violation");
    }

    [Fact]
    public async Task Unregistering_removes_the_agents_targets_on_that_generators_stacks()
    {
        var generator = await _fleet.GeneratorAsync();
        var other = await _fleet.GeneratorAsync();
        var agent = await _fleet.AgentAsync(generator.Id, other.Id);
        var stack = await _fleet.StackAsync(generator);
        var otherStack = await _fleet.StackAsync(other);
        await _fleet.TargetAsync(generator, agent, stack);
        await _fleet.TargetAsync(other, agent, otherStack);

        await broker.Client(agent.Pak).Send("DELETE", $"/generators/{generator.Id}/register").Expect(204);
        var targets = await Admin.Send("GET", $"/agents/{agent.Id}/targets").Expect(200);
        Assert.Equal([otherStack], targets.EnumerateArray().Select(t => t.Id("stack_id")));
        var registrations = await Admin.Send("GET", $"/agents/{agent.Id}/registrations").Expect(200);
        Assert.DoesNotContain(registrations.EnumerateArray(), r => r.Id("generator_id") == generator.Id);
        // Idempotent: unregistering again is still 204.
        await Admin.Send("DELETE", $"/generators/{generator.Id}/register", new { agent_id = agent.Id }).Expect(204);
    }
}
