using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Api.V1.Agents;

public sealed record NewAgentLabel(Guid AgentId, string Label);

public sealed record NewAgentAnnotation(Guid AgentId, string Key, string Value);

/// <summary>Agent labels and annotations (spec §4.4): readable by the agent, managed by the admin only.</summary>
public static class AgentTagsApi
{
    public static RouteGroupBuilder MapAgentTagsApi(this RouteGroupBuilder agents)
    {
        agents.MapGet("/{id}/labels", ListLabels);
        agents.MapPost("/{id}/labels", AddLabel);
        agents.MapDelete("/{id}/labels/{label}", RemoveLabel);
        agents.MapGet("/{id}/annotations", ListAnnotations);
        agents.MapPost("/{id}/annotations", AddAnnotation);
        agents.MapDelete("/{id}/annotations/{key}", RemoveAnnotation);
        return agents;
    }

    private static async Task<Ok<List<AgentLabel>>> ListLabels(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdminOrAgentSelf(id);
        return TypedResults.Ok(await db.AgentLabels.Where(l => l.AgentId == id).OrderBy(l => l.Label).ToListAsync());
    }

    private static async Task<Created<AgentLabel>> AddLabel(Guid id, Caller caller, Json<NewAgentLabel> body, BrokkrDbContext db)
    {
        caller.RequireAdmin();
        Validation.SameId(body.Value.AgentId, id, "agent_id_mismatch", "agent_id");
        var label = new AgentLabel { Id = Guid.CreateVersion7(), AgentId = id, Label = Validation.Tag(body.Value.Label, "invalid_label", "label") };
        db.AgentLabels.Add(label);
        await db.SaveChangesAsync();
        return TypedResults.Created($"/api/v1/agents/{id}/labels", label);
    }

    private static async Task<NoContent> RemoveLabel(Guid id, string label, Caller caller, HttpRequest request, BrokkrDbContext db)
    {
        label = TagPathSegment.Read(request, label);
        caller.RequireAdmin();
        if (await db.AgentLabels.Where(l => l.AgentId == id && l.Label == label).ExecuteDeleteAsync() == 0)
        {
            throw ApiException.NotFound("agent_label_not_found", "the agent has no such label");
        }
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<AgentAnnotation>>> ListAnnotations(Guid id, Caller caller, BrokkrDbContext db)
    {
        caller.RequireAdminOrAgentSelf(id);
        return TypedResults.Ok(await db.AgentAnnotations.Where(a => a.AgentId == id).OrderBy(a => a.Key).ToListAsync());
    }

    private static async Task<Created<AgentAnnotation>> AddAnnotation(Guid id, Caller caller, Json<NewAgentAnnotation> body, BrokkrDbContext db)
    {
        caller.RequireAdmin();
        Validation.SameId(body.Value.AgentId, id, "agent_id_mismatch", "agent_id");
        var annotation = new AgentAnnotation
        {
            Id = Guid.CreateVersion7(),
            AgentId = id,
            Key = Validation.Tag(body.Value.Key, "invalid_annotation", "annotation key"),
            Value = Validation.Tag(body.Value.Value, "invalid_annotation", "annotation value"),
        };
        db.AgentAnnotations.Add(annotation);
        await db.SaveChangesAsync();
        return TypedResults.Created($"/api/v1/agents/{id}/annotations", annotation);
    }

    private static async Task<NoContent> RemoveAnnotation(Guid id, string key, Caller caller, HttpRequest request, BrokkrDbContext db)
    {
        key = TagPathSegment.Read(request, key);
        caller.RequireAdmin();
        if (await db.AgentAnnotations.Where(a => a.AgentId == id && a.Key == key).ExecuteDeleteAsync() == 0)
        {
            throw ApiException.NotFound("agent_annotation_not_found", "the agent has no such annotation");
        }
        return TypedResults.NoContent();
    }
}
