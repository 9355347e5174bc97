using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace Brokkr.Broker.Api.V1.DeploymentObjects;

/// <summary><c>GET /deployment-objects/{id}</c> (spec §4.8): JSON, or the raw YAML when the client accepts YAML.</summary>
public static class DeploymentObjectsApi
{
    public static RouteGroupBuilder MapDeploymentObjectsApi(this RouteGroupBuilder api)
    {
        api.MapGroup("/deployment-objects").WithTags("Deployment objects").MapGet("/{id}", Get);
        return api;
    }

    private static async Task<Results<Ok<DeploymentObject>, ContentHttpResult>> Get(Guid id, Caller caller, HttpRequest request, BrokkrDbContext db)
    {
        var deploymentObject = await db.DeploymentObjects.FirstOrDefaultAsync(d => d.Id == id && d.DeletedAt == null)
            ?? throw ApiException.NotFound("deployment_object_not_found", "deployment object not found");
        await AuthorizeAsync(deploymentObject, caller, db);

        var acceptsYaml = request.GetTypedHeaders().Accept
            .Any(a => DeploymentObjectSubmission.YamlMediaTypes.Contains(a.MediaType.Value, StringComparer.OrdinalIgnoreCase));
        if (acceptsYaml)
        {
            return TypedResults.Text(deploymentObject.YamlContent, "application/yaml");
        }
        return TypedResults.Ok(deploymentObject);
    }

    private static async Task AuthorizeAsync(DeploymentObject deploymentObject, Caller caller, BrokkrDbContext db)
    {
        if (caller.IsAdmin)
        {
            return;
        }
        if (caller.IsAgent)
        {
            if (!await db.AgentTargets.AnyAsync(t => t.AgentId == caller.AgentId && t.StackId == deploymentObject.StackId))
            {
                throw ApiException.Forbidden("agent_not_associated", "the agent has no explicit target on this object's stack");
            }
            return;
        }
        var stack = await db.StackAsync(deploymentObject.StackId);
        if (!caller.IsGeneratorSelf(stack.GeneratorId))
        {
            throw ApiException.Forbidden("generator_not_associated", "the object's stack belongs to another generator");
        }
    }
}
