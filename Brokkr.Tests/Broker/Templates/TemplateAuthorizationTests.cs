using System.Text.Json;

namespace Brokkr.Tests.Broker.Templates;

public enum TemplateCaller
{
    NoPak,
    Admin,
    Owner,
    OtherGenerator,
    Agent,
}

/// <summary>
/// Every template operation × every kind of caller, on a template owned by one generator: the admin may do anything,
/// the owner everything with its own, another generator nothing with it (though it lists and creates its own), an
/// agent nothing at all, and a caller without a PAK gets an empty 401. Each case gets a world of its own, so a
/// refusal is also checked to have changed nothing.
/// </summary>
public sealed class TemplateAuthorizationTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private sealed record World(Tenant Owner, Tenant Other, Tenant Agent, Guid Template, Guid Stack);

    private sealed record Operation(string Method, Func<World, string> Path, Func<World, object?> Body, int Success,
        IReadOnlySet<TemplateCaller> Allowed, string? DeniedCode);

    private static readonly HashSet<TemplateCaller> Generators = [TemplateCaller.Admin, TemplateCaller.Owner, TemplateCaller.OtherGenerator];
    private static readonly HashSet<TemplateCaller> Owning = [TemplateCaller.Admin, TemplateCaller.Owner];

    private const string Content = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ name }}\n";

    private static readonly Dictionary<string, Operation> Operations = new()
    {
        ["GET /templates"] = new("GET", _ => "/templates", _ => null, 200, Generators, "templates_not_accessible"),
        ["POST /templates"] = new("POST", _ => "/templates", _ => NewTemplate(), 201, Generators, "templates_not_accessible"),
        ["GET /templates/{id}"] = new("GET", w => $"/templates/{w.Template}", _ => null, 200, Owning, "template_not_accessible"),
        ["PUT /templates/{id}"] = new("PUT", w => $"/templates/{w.Template}",
            _ => new { template_content = Content, parameters_schema = "{}" }, 200, Owning, "template_not_owned"),
        ["DELETE /templates/{id}"] = new("DELETE", w => $"/templates/{w.Template}", _ => null, 204, Owning, "template_not_owned"),
        ["GET /templates/{id}/labels"] = new("GET", w => $"/templates/{w.Template}/labels", _ => null, 200, Owning, "template_not_accessible"),
        ["POST /templates/{id}/labels"] = new("POST", w => $"/templates/{w.Template}/labels", _ => "tier:web", 201, Owning, "template_not_owned"),
        ["DELETE /templates/{id}/labels/{label}"] = new("DELETE", w => $"/templates/{w.Template}/labels/env:prod", _ => null, 204, Owning, "template_not_owned"),
        ["GET /templates/{id}/annotations"] = new("GET", w => $"/templates/{w.Template}/annotations", _ => null, 200, Owning, "template_not_accessible"),
        ["POST /templates/{id}/annotations"] = new("POST", w => $"/templates/{w.Template}/annotations",
            _ => new { key = "team", value = "blue" }, 201, Owning, "template_not_owned"),
        ["DELETE /templates/{id}/annotations/{key}"] = new("DELETE", w => $"/templates/{w.Template}/annotations/owner", _ => null, 204, Owning, "template_not_owned"),
        // The stack is the owner's: another generator is refused on the stack before the template is looked at.
        ["POST /stacks/{id}/deployment-objects/from-template"] = new("POST", w => $"/stacks/{w.Stack}/deployment-objects/from-template",
            w => new { template_id = w.Template, parameters = new { name = "rendered" } }, 201, Owning, null),
    };

    public static TheoryData<string, TemplateCaller> Cases()
    {
        var data = new TheoryData<string, TemplateCaller>();
        foreach (var operation in Operations.Keys)
        {
            foreach (var caller in Enum.GetValues<TemplateCaller>())
            {
                data.Add(operation, caller);
            }
        }
        return data;
    }

    [Fact]
    public void The_matrix_covers_every_template_operation_of_the_contract()
    {
        var contract = CoreContract.Operations.Where(o => o.Contains("template")).Select(CoreContract.Shape).ToHashSet();
        Assert.Equal(12, contract.Count);
        Assert.Equal(contract, Operations.Keys.Select(CoreContract.Shape).ToHashSet());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_caller_gets_what_its_role_allows(string name, TemplateCaller caller)
    {
        var operation = Operations[name];
        var world = await WorldAsync();
        var client = broker.Client(caller switch
        {
            TemplateCaller.NoPak => null,
            TemplateCaller.Admin => BrokerHost.DevAdminPak,
            TemplateCaller.Owner => world.Owner.Pak,
            TemplateCaller.OtherGenerator => world.Other.Pak,
            _ => world.Agent.Pak,
        });
        var call = client.Send(operation.Method, operation.Path(world), operation.Body(world));

        if (caller == TemplateCaller.NoPak)
        {
            using var response = await call;
            Assert.Equal(401, (int)response.StatusCode);
            Assert.Empty(await response.Content.ReadAsStringAsync());
        }
        else if (operation.Allowed.Contains(caller))
        {
            await call.Expect(operation.Success);
            return;
        }
        else if (operation.DeniedCode is { } code)
        {
            await call.ExpectError(403, code);
        }
        else
        {
            var body = await call.Expect(403);
            Assert.False(string.IsNullOrEmpty(body.GetProperty("code").GetString()));
        }

        await AssertUnchangedAsync(world);
    }

    [Fact]
    public async Task A_system_template_is_readable_and_renderable_by_every_generator_and_changed_by_the_admin_only()
    {
        var admin = broker.Client();
        var system = await admin.Send("POST", "/templates", NewTemplate()).Expect(201);
        Assert.Equal(JsonValueKind.Null, system.GetProperty("generator_id").ValueKind);
        var fleet = new Fleet(broker);
        var generator = await fleet.GeneratorAsync();
        var client = broker.Client(generator.Pak);

        await client.Send("GET", $"/templates/{system.Id()}").Expect(200);
        Assert.Contains((await client.Send("GET", "/templates").Expect(200)).EnumerateArray(), t => t.Id() == system.Id());
        var stack = await fleet.StackAsync(generator);
        await client.Send("POST", $"/stacks/{stack}/deployment-objects/from-template",
            new { template_id = system.Id(), parameters = new { name = "from-system" } }).Expect(201);
        await client.Send("PUT", $"/templates/{system.Id()}", new { template_content = Content, parameters_schema = "{}" })
            .ExpectError(403, "template_not_owned");
        await client.Send("DELETE", $"/templates/{system.Id()}").ExpectError(403, "template_not_owned");
        await admin.Send("PUT", $"/templates/{system.Id()}", new { template_content = Content, parameters_schema = "{}" }).Expect(200);
    }

    [Fact]
    public async Task Another_generators_templates_are_not_listed()
    {
        var world = await WorldAsync();
        var listed = (await broker.Client(world.Other.Pak).Send("GET", "/templates").Expect(200)).EnumerateArray().Select(t => t.Id());
        Assert.DoesNotContain(world.Template, listed);
    }

    private static object NewTemplate() => new
    {
        name = Fleet.Unique("authz"),
        template_content = Content,
        parameters_schema = """{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}""",
    };

    /// <summary>A template of its own generator with one label and one annotation, matched by a stack of the same generator.</summary>
    private async Task<World> WorldAsync()
    {
        var fleet = new Fleet(broker);
        var owner = await fleet.GeneratorAsync();
        var other = await fleet.GeneratorAsync();
        var agent = await fleet.AgentAsync(owner.Id);
        var client = broker.Client(owner.Pak);
        var template = (await client.Send("POST", "/templates", NewTemplate()).Expect(201)).Id();
        await client.Send("POST", $"/templates/{template}/labels", "env:prod").Expect(201);
        await client.Send("POST", $"/templates/{template}/annotations", new { key = "owner", value = "team-a" }).Expect(201);
        var stack = await fleet.StackAsync(owner);
        await client.Send("POST", $"/stacks/{stack}/labels", "env:prod").Expect(201);
        await client.Send("POST", $"/stacks/{stack}/annotations", new { stack_id = stack, key = "owner", value = "team-a" }).Expect(201);
        return new World(owner, other, agent, template, stack);
    }

    /// <summary>The template, its tags and the stack's objects as the world made them.</summary>
    private async Task AssertUnchangedAsync(World world)
    {
        var admin = broker.Client();
        var template = await admin.Send("GET", $"/templates/{world.Template}").Expect(200);
        Assert.Equal(1, template.GetProperty("version").GetInt32());
        Assert.Single((await admin.Send("GET", $"/templates/{world.Template}/labels").Expect(200)).EnumerateArray());
        Assert.Single((await admin.Send("GET", $"/templates/{world.Template}/annotations").Expect(200)).EnumerateArray());
        Assert.Equal(0, (await admin.Send("GET", $"/stacks/{world.Stack}/deployment-objects").Expect(200)).GetArrayLength());
        var owned = (await admin.Send("GET", "/templates").Expect(200)).EnumerateArray().Count(t => t.Str("name") == template.Str("name"));
        Assert.Equal(1, owned);
    }
}
