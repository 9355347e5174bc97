using System.Net;

namespace Brokkr.Tests.Broker;

public enum Who
{
    NoPak,
    BadPak,
    MalformedPak,
    Admin,
    SelfAgent,
    OtherAgent,
    OwnerGenerator,
    OtherGenerator,
}

/// <summary>
/// Spec §2–§4 authorization, one theory over every core endpoint × every kind of caller. Each row states who is
/// allowed and the 403 code everybody else gets; callers without a valid PAK always get an empty 401.
/// </summary>
public sealed class AuthorizationMatrixTests(WorldBrokerHost broker) : IClassFixture<WorldBrokerHost>
{
    private static readonly Who[] Everyone = [Who.Admin, Who.SelfAgent, Who.OtherAgent, Who.OwnerGenerator, Who.OtherGenerator];
    private static readonly Who[] AdminOnly = [Who.Admin];
    private static readonly Who[] AdminOrSelfAgent = [Who.Admin, Who.SelfAgent];
    private static readonly Who[] AdminOrOwner = [Who.Admin, Who.OwnerGenerator];
    private static readonly Who[] AdminOrAgents = [Who.Admin, Who.SelfAgent, Who.OtherAgent];

    private sealed record Endpoint(
        string Method, Func<World, string> Path, Who[] Allowed, int Success, string Denied,
        Func<World, object?>? Body = null, IReadOnlyDictionary<Who, string>? DeniedBy = null)
    {
        /// <summary>Whether a successful call changes what other rows rely on (deletes, rotations, one-off inserts).</summary>
        public bool NeedsOwnWorld => Method == "DELETE" || Path(World.Placeholder).EndsWith("rotate-pak") ||
                                     Path(World.Placeholder).EndsWith("/targets") || Path(World.Placeholder).EndsWith("/register");
    }

    private static readonly Dictionary<string, Endpoint> Endpoints = new()
    {
        ["POST /auth/pak"] = new("POST", _ => "/auth/pak", Everyone, 200, ""),
        ["GET /paks"] = new("GET", _ => "/paks", AdminOnly, 200, "admin_required"),
        ["GET /generators"] = new("GET", _ => "/generators", AdminOnly, 200, "admin_required"),
        ["POST /generators"] = new("POST", _ => "/generators", AdminOnly, 201, "admin_required", _ => new { name = Fleet.Unique("gen") }),
        ["GET /generators/{id}"] = new("GET", w => $"/generators/{w.G1.Id}", AdminOrOwner, 200, "generator_not_owned"),
        ["PUT /generators/{id}"] = new("PUT", w => $"/generators/{w.G1.Id}", AdminOrOwner, 200, "generator_not_owned",
            w => new { id = w.G1.Id, created_at = DateTime.UtcNow, updated_at = DateTime.UtcNow, name = Fleet.Unique("gen"), is_active = true, is_system = false }),
        ["DELETE /generators/{id}"] = new("DELETE", w => $"/generators/{w.G1.Id}", AdminOrOwner, 204, "generator_not_owned"),
        ["POST /generators/{id}/register"] = new("POST", w => $"/generators/{w.G2.Id}/register", AdminOrAgents, 201, "forbidden", w => new { agent_id = w.A1.Id }),
        ["DELETE /generators/{id}/register"] = new("DELETE", w => $"/generators/{w.G1.Id}/register", AdminOrAgents, 204, "forbidden", w => new { agent_id = w.A1.Id }),
        ["GET /generators/{id}/registered-agents"] = new("GET", w => $"/generators/{w.G1.Id}/registered-agents", AdminOrOwner, 200, "not_authorized"),
        ["POST /generators/{id}/rotate-pak"] = new("POST", w => $"/generators/{w.G1.Id}/rotate-pak", AdminOrOwner, 201, "generator_not_owned"),
        ["GET /agents"] = new("GET", _ => "/agents", [Who.Admin, Who.OwnerGenerator, Who.OtherGenerator], 200, "generator_required"),
        ["POST /agents"] = new("POST", _ => "/agents", AdminOnly, 201, "admin_required", _ => new { name = Fleet.Unique("agent"), cluster_name = "c" }),
        ["GET /agents/?name=&cluster_name="] = new("GET", w => $"/agents/?name={w.A1Name}&cluster_name={World.Cluster}", AdminOrSelfAgent, 200, "agent_pak_mismatch"),
        ["GET /agents/{id}"] = new("GET", w => $"/agents/{w.A1.Id}", AdminOrSelfAgent, 200, "agent_pak_mismatch"),
        ["PUT /agents/{id}"] = new("PUT", w => $"/agents/{w.A1.Id}", AdminOrSelfAgent, 200, "agent_pak_mismatch", _ => new { status = "ACTIVE" }),
        ["DELETE /agents/{id}"] = new("DELETE", w => $"/agents/{w.A1.Id}", AdminOnly, 204, "admin_required"),
        ["GET /agents/{id}/labels"] = new("GET", w => $"/agents/{w.A1.Id}/labels", AdminOrSelfAgent, 200, "agent_pak_mismatch"),
        ["POST /agents/{id}/labels"] = new("POST", w => $"/agents/{w.A1.Id}/labels", AdminOnly, 201, "admin_required", w => new { agent_id = w.A1.Id, label = Fleet.Unique("l") }),
        ["DELETE /agents/{id}/labels/{label}"] = new("DELETE", w => $"/agents/{w.A1.Id}/labels/{World.AgentLabel}", AdminOnly, 204, "admin_required"),
        ["GET /agents/{id}/annotations"] = new("GET", w => $"/agents/{w.A1.Id}/annotations", AdminOrSelfAgent, 200, "agent_pak_mismatch"),
        ["POST /agents/{id}/annotations"] = new("POST", w => $"/agents/{w.A1.Id}/annotations", AdminOnly, 201, "admin_required", w => new { agent_id = w.A1.Id, key = Fleet.Unique("k"), value = "v" }),
        ["DELETE /agents/{id}/annotations/{key}"] = new("DELETE", w => $"/agents/{w.A1.Id}/annotations/{World.AgentAnnotationKey}", AdminOnly, 204, "admin_required"),
        ["GET /agents/{id}/targets"] = new("GET", w => $"/agents/{w.A1.Id}/targets", AdminOrSelfAgent, 200, "agent_pak_mismatch"),
        ["POST /agents/{id}/targets"] = new("POST", w => $"/agents/{w.A1.Id}/targets", AdminOrOwner, 201, "target_create_denied",
            w => new { agent_id = w.A1.Id, stack_id = w.S2 }, new Dictionary<Who, string> { [Who.OtherGenerator] = "target_generator_mismatch" }),
        ["DELETE /agents/{id}/targets/{stack_id}"] = new("DELETE", w => $"/agents/{w.A1.Id}/targets/{w.S1}", AdminOrOwner, 204, "target_create_denied",
            DeniedBy: new Dictionary<Who, string> { [Who.OtherGenerator] = "target_generator_mismatch" }),
        ["POST /agents/{id}/heartbeat"] = new("POST", w => $"/agents/{w.A1.Id}/heartbeat", [Who.SelfAgent], 204, "agent_pak_mismatch"),
        ["GET /agents/{id}/target-state"] = new("GET", w => $"/agents/{w.A1.Id}/target-state", AdminOrSelfAgent, 200, "agent_pak_mismatch"),
        ["GET /agents/{id}/stacks"] = new("GET", w => $"/agents/{w.A1.Id}/stacks", AdminOrSelfAgent, 200, "agent_pak_mismatch"),
        ["GET /agents/{id}/events"] = new("GET", w => $"/agents/{w.A1.Id}/events", AdminOrSelfAgent, 200, "agent_pak_mismatch"),
        ["POST /agents/{id}/events"] = new("POST", w => $"/agents/{w.A1.Id}/events", AdminOrSelfAgent, 201, "agent_pak_mismatch",
            w => new { agent_id = w.A1.Id, deployment_object_id = w.D1, event_type = "DEPLOY", status = "FAILURE", message = "boom" }),
        ["GET /agents/{id}/registrations"] = new("GET", w => $"/agents/{w.A1.Id}/registrations", AdminOrSelfAgent, 200, "agent_pak_mismatch"),
        ["POST /agents/{id}/rotate-pak"] = new("POST", w => $"/agents/{w.A1.Id}/rotate-pak", AdminOrSelfAgent, 200, "agent_pak_mismatch"),
        ["GET /stacks"] = new("GET", _ => "/stacks", [Who.Admin, Who.OwnerGenerator, Who.OtherGenerator], 200, "stacks_list_denied"),
        ["POST /stacks"] = new("POST", _ => "/stacks", AdminOrOwner, 201, "stack_create_denied",
            w => new { name = Fleet.Unique("stack"), generator_id = w.G1.Id }, new Dictionary<Who, string> { [Who.OtherGenerator] = "stack_generator_mismatch" }),
        ["GET /stacks/{id}"] = new("GET", w => $"/stacks/{w.S1}", AdminOrOwner, 200, "stack_not_owned"),
        ["PUT /stacks/{id}"] = new("PUT", w => $"/stacks/{w.S1}", AdminOrOwner, 200, "stack_not_owned",
            w => new { id = w.S1, created_at = DateTime.UtcNow, updated_at = DateTime.UtcNow, name = Fleet.Unique("stack"), generator_id = w.G1.Id }),
        ["DELETE /stacks/{id}"] = new("DELETE", w => $"/stacks/{w.S1}", AdminOrOwner, 204, "stack_not_owned"),
        ["GET /stacks/{id}/labels"] = new("GET", w => $"/stacks/{w.S1}/labels", [Who.Admin, Who.OwnerGenerator, Who.SelfAgent], 200, "stack_not_accessible"),
        ["POST /stacks/{id}/labels"] = new("POST", w => $"/stacks/{w.S1}/labels", AdminOrOwner, 201, "stack_not_owned", _ => Fleet.Unique("l")),
        ["DELETE /stacks/{id}/labels/{label}"] = new("DELETE", w => $"/stacks/{w.S1}/labels/{World.StackLabel}", AdminOrOwner, 204, "stack_not_owned"),
        ["GET /stacks/{id}/annotations"] = new("GET", w => $"/stacks/{w.S1}/annotations", [Who.Admin, Who.OwnerGenerator, Who.SelfAgent], 200, "stack_not_accessible"),
        ["POST /stacks/{id}/annotations"] = new("POST", w => $"/stacks/{w.S1}/annotations", AdminOrOwner, 201, "stack_not_owned", w => new { stack_id = w.S1, key = Fleet.Unique("k"), value = "v" }),
        ["DELETE /stacks/{id}/annotations/{key}"] = new("DELETE", w => $"/stacks/{w.S1}/annotations/{World.StackAnnotationKey}", AdminOrOwner, 204, "stack_not_owned"),
        ["GET /stacks/{id}/deployment-objects"] = new("GET", w => $"/stacks/{w.S1}/deployment-objects", AdminOrOwner, 200, "stack_not_owned"),
        ["POST /stacks/{id}/deployment-objects"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", AdminOrOwner, 201, "stack_not_owned", _ => new { yaml_content = "a: 1" }),
        ["GET /deployment-objects/{id}"] = new("GET", w => $"/deployment-objects/{w.D1}", [Who.Admin, Who.SelfAgent, Who.OwnerGenerator], 200, "agent_not_associated",
            DeniedBy: new Dictionary<Who, string> { [Who.OtherGenerator] = "generator_not_associated" }),
        ["PATCH /agents/{id}/health-status"] = new("PATCH", w => $"/agents/{w.A1.Id}/health-status", AdminOrSelfAgent, 200, "agent_pak_mismatch",
            w => new { deployment_objects = new[] { new { id = w.D1, status = "healthy", checked_at = DateTime.UtcNow, summary = (object?)null } } }),
        ["GET /deployment-objects/{id}/health"] = new("GET", w => $"/deployment-objects/{w.D1}/health", AdminOnly, 200, "admin_required"),
        ["GET /stacks/{id}/health"] = new("GET", w => $"/stacks/{w.S1}/health", AdminOnly, 200, "admin_required"),
        ["GET /agent-events"] = new("GET", _ => "/agent-events", AdminOnly, 200, "admin_required"),
        ["GET /agent-events/{id}"] = new("GET", w => $"/agent-events/{w.E1}", AdminOnly, 200, "admin_required"),
    };

    public static TheoryData<string, Who> Cases()
    {
        var data = new TheoryData<string, Who>();
        foreach (var endpoint in Endpoints.Keys)
        {
            foreach (var who in Enum.GetValues<Who>())
            {
                data.Add(endpoint, who);
            }
        }
        return data;
    }

    [Fact]
    public void The_matrix_covers_every_core_operation_of_the_contract()
    {
        var covered = Endpoints.Keys.Select(k => CoreContract.Shape(k.Split('?')[0])).ToHashSet();
        var missing = CoreContract.CoreOperations.Where(o => !covered.Contains(CoreContract.Shape(o))).ToList();
        Assert.True(missing.Count == 0, "core operations without authorization rows:\n" + string.Join("\n", missing));
        Assert.Equal(CoreContract.CoreOperations.Count, Endpoints.Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Endpoint_answers_each_caller_as_the_spec_says(string name, Who who)
    {
        var endpoint = Endpoints[name];
        var allowed = endpoint.Allowed.Contains(who);
        // Successful destructive writes get a world of their own; everything else shares one (a refusal writes nothing).
        var world = allowed && endpoint.NeedsOwnWorld ? await World.CreateAsync(broker) : broker.Shared;
        var call = ClientFor(who, world).Send(endpoint.Method, endpoint.Path(world), endpoint.Body?.Invoke(world));

        if (who is Who.NoPak or Who.BadPak or Who.MalformedPak)
        {
            using var response = await call;
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }
        else if (allowed)
        {
            await call.Expect(endpoint.Success);
        }
        else
        {
            await call.ExpectError(403, endpoint.DeniedBy?.GetValueOrDefault(who) ?? endpoint.Denied);
        }
    }

    private HttpClient ClientFor(Who who, World world) => who switch
    {
        Who.NoPak => broker.Client(null),
        Who.BadPak => broker.Client("brokkr_BRabcdef_ThisIsNotAKnownLongTokenAtAll1234"),
        Who.MalformedPak => broker.Client("not-a-pak"),
        Who.Admin => broker.Client(),
        Who.SelfAgent => broker.Client(world.A1.Pak),
        Who.OtherAgent => broker.Client(world.A2.Pak),
        Who.OwnerGenerator => broker.Client(world.G1.Pak),
        Who.OtherGenerator => broker.Client(world.G2.Pak),
        _ => throw new ArgumentOutOfRangeException(nameof(who)),
    };
}
