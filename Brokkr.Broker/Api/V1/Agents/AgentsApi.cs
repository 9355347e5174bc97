using System.Text.Json;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Brokkr.Broker.Metrics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Agents;

public sealed record CreateAgentRequest(string Name, string ClusterName, List<string>? GeneratorIds = null);

public sealed record CreateAgentResponse(Agent Agent, string InitialPak);

public sealed record AgentWithPak(Agent Agent, string Pak);

/// <summary>Agents — CRUD and the self-lookup by name and cluster (spec §4.3).</summary>
public static class AgentsApi
{
    public static RouteGroupBuilder MapAgentsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/agents").WithTags("Agents");
        // "/agents" (list) and "/agents/" (search) differ only by the trailing slash, which routing ignores.
        group.MapGet("", ListOrSearch);
        group.MapPost("", Create);
        group.MapGet("/{id}", Get);
        group.MapPut("/{id}", Update);
        group.MapDelete("/{id}", Delete);
        group.MapPost("/{id}/rotate-pak", RotatePak);
        group.MapAgentTagsApi();
        group.MapAgentTargetsApi();
        group.MapAgentRuntimeApi();
        return api;
    }

    private static async Task<Results<Ok<List<Agent>>, Ok<Agent>>> ListOrSearch(HttpContext context, Caller caller, BrokkrDbContext db)
    {
        if (context.Request.Path.Value!.EndsWith('/'))
        {
            return await Search(context.Request.Query, caller, db);
        }
        return await List(caller, db);
    }

    private static async Task<Ok<List<Agent>>> List(Caller caller, BrokkrDbContext db)
    {
        var agents = db.LiveAgents();
        if (!caller.IsAdmin)
        {
            var generator = await TenantGeneratorAsync(caller, db);
            agents = agents.Where(a => db.AgentGeneratorRegistrations.Any(r => r.AgentId == a.Id && r.GeneratorId == generator.Id));
        }
        return TypedResults.Ok(await agents.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).ToListAsync());
    }

    private static async Task<Ok<Agent>> Search(IQueryCollection query, Caller caller, BrokkrDbContext db)
    {
        string? name = query["name"], cluster = query["cluster_name"];
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(cluster))
        {
            throw ApiException.BadRequest("name_and_cluster_required", "both name and cluster_name are required");
        }
        var agent = await db.LiveAgents().FirstOrDefaultAsync(a => a.Name == name && a.ClusterName == cluster)
            ?? throw ApiException.NotFound("agent_not_found", "agent not found");
        caller.RequireAdminOrAgentSelf(agent.Id);
        return TypedResults.Ok(agent);
    }

    private static async Task<Created<CreateAgentResponse>> Create(Caller caller, Json<CreateAgentRequest> body, BrokkrDbContext db, PakFormat paks)
    {
        caller.RequireAdmin();
        var created = await AgentCreation.CreateAsync(db, paks, body.Value.Name, body.Value.ClusterName, body.Value.GeneratorIds ?? []);
        return TypedResults.Created($"/api/v1/agents/{created.Agent.Id}", new CreateAgentResponse(created.Agent, created.Pak.Plaintext));
    }

    private static async Task<Ok<Agent>> Get(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdminOrAgentSelf(id);
        return TypedResults.Ok(await db.AgentAsync(id));
    }

    /// <summary>Any JSON object; only the string members name, cluster_name and status are applied.</summary>
    private static async Task<Ok<Agent>> Update(Guid id, Caller caller, Json<JsonElement> body, BrokkrDbContext db, FleetGauges fleet)
    {
        caller.RequireAdminOrAgentSelf(id);
        if (body.Value.ValueKind != JsonValueKind.Object)
        {
            throw RequestBody.InvalidBody("the request body must be a JSON object");
        }
        var agent = await db.AgentAsync(id);
        if (StringMember(body.Value, "name") is { } name) agent.Name = Validation.Name(name, "invalid_agent", "name");
        if (StringMember(body.Value, "cluster_name") is { } cluster) agent.ClusterName = Validation.Name(cluster, "invalid_agent", "cluster_name");
        if (StringMember(body.Value, "status") is { } status) agent.Status = Validation.Name(status, "invalid_agent", "status", maxLength: 50);
        await db.SaveChangesAsync();
        fleet.Renamed(agent.Id, agent.Name);
        return TypedResults.Ok(agent);
    }

    private static async Task<NoContent> Delete(Guid id, Caller caller, BrokkrDbContext db, PakRevocations revocations, FleetGauges fleet)
    {
        caller.RequireAdmin();
        var agent = await db.LiveAgents().FirstOrDefaultAsync(a => a.Id == id);
        if (agent is not null)
        {
            // The agent_soft_delete trigger soft-deletes its events; the PAK stops working with the row.
            agent.DeletedAt = DateTime.UtcNow;
            await revocations.SaveAndRevokeAsync(db, agent.PakHash);
            fleet.Forget(id);
        }
        return TypedResults.NoContent();
    }

    private static async Task<Ok<AgentWithPak>> RotatePak(Guid id, Caller caller, BrokkrDbContext db, PakFormat paks, PakRevocations revocations)
    {
        caller.RequireAdminOrAgentSelf(id);
        var agent = await db.AgentAsync(id);
        var pak = await PakRotation.RotateAsync(agent, db, paks, revocations);
        return TypedResults.Ok(new AgentWithPak(agent, pak.Plaintext));
    }

    /// <summary>The generator a non-admin lists agents for: itself, provided it is a tenant.</summary>
    private static async Task<Generator> TenantGeneratorAsync(Caller caller, BrokkrDbContext db)
    {
        if (!caller.IsGenerator)
        {
            throw ApiException.Forbidden("generator_required", "only the admin or a generator may list agents");
        }
        var generator = await db.LiveGenerators().FirstOrDefaultAsync(g => g.Id == caller.GeneratorId)
            ?? throw ApiException.Forbidden("generator_not_found", "the calling generator no longer exists");
        if (generator.IsSystem)
        {
            throw ApiException.Forbidden("system_generator_not_a_tenant", "the system generator is not a tenant");
        }
        return generator;
    }

    private static string? StringMember(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
