using Brokkr.Broker.Api.V1.DeploymentObjects;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Http;
using Brokkr.Broker.Metrics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Stacks;

/// <summary>A stack's deployment objects (spec §4.8): immutable revisions; the greatest sequence_id wins.</summary>
public static class StackDeploymentObjectsApi
{
    public static RouteGroupBuilder MapStackDeploymentObjectsApi(this RouteGroupBuilder stacks)
    {
        stacks.MapGet("/{id}/deployment-objects", List);
        // Documented as JSON; raw YAML (application/yaml, text/yaml, application/x-yaml) is accepted too.
        stacks.MapPost("/{id}/deployment-objects", Create)
            .WithMetadata(new JsonBodyMetadata(typeof(CreateDeploymentObjectRequest), IsOptional: false));
        return stacks;
    }

    private static async Task<Ok<List<DeploymentObject>>> List(Guid id, Caller caller, BrokkrDbContext db)
    {
        await db.OwnedStackAsync(id, caller);
        return TypedResults.Ok(await db.DeploymentObjects.Where(d => d.StackId == id && d.DeletedAt == null)
            .OrderByDescending(d => d.SequenceId).ToListAsync());
    }

    private static async Task<Created<DeploymentObject>> Create(Guid id, Caller caller, HttpRequest request, BrokkrDbContext db,
        BusinessMetrics metrics)
    {
        await db.OwnedStackAsync(id, caller);
        var submission = await DeploymentObjectSubmission.ReadAsync(request);
        var deploymentObject = await DeploymentObjectStore.AppendAsync(db, metrics, id, submission);
        return TypedResults.Created($"/api/v1/deployment-objects/{deploymentObject.Id}", deploymentObject);
    }
}

/// <summary>The JSON form of a new deployment object, for the OpenAPI document.</summary>
public sealed record CreateDeploymentObjectRequest(string YamlContent, bool IsDeletionMarker = false);
