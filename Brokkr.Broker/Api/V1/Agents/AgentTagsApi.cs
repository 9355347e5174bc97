using Brokkr.Broker.Api.V1.Tags;
using Brokkr.Broker.Data;
using Brokkr.Broker.Http;

namespace Brokkr.Broker.Api.V1.Agents;

public sealed record NewAgentLabel(Guid AgentId, string Label);

public sealed record NewAgentAnnotation(Guid AgentId, string Key, string Value);

/// <summary>Agent labels and annotations (spec §4.4): readable by the agent, managed by the admin only.</summary>
public static class AgentTagsApi
{
    private static readonly TagOwner<AgentLabel, AgentAnnotation> Owner = new()
    {
        Kind = "agent",
        Labels = db => db.AgentLabels,
        LabelOwner = l => l.AgentId,
        LabelText = l => l.Label,
        NewLabel = (id, label) => new AgentLabel { Id = Guid.CreateVersion7(), AgentId = id, Label = label },
        Annotations = db => db.AgentAnnotations,
        AnnotationOwner = a => a.AgentId,
        AnnotationKey = a => a.Key,
        NewAnnotation = (id, key, value) => new AgentAnnotation { Id = Guid.CreateVersion7(), AgentId = id, Key = key, Value = value },
        RequireReader = (id, caller, _) =>
        {
            caller.RequireAdminOrAgentSelf(id);
            return Task.CompletedTask;
        },
        RequireManager = (_, caller, _) =>
        {
            caller.RequireAdmin();
            return Task.CompletedTask;
        },
    };

    /// <summary>Both bodies name their agent.</summary>
    public static RouteGroupBuilder MapAgentTagsApi(this RouteGroupBuilder agents) =>
        agents.MapTagRoutes<AgentLabel, AgentAnnotation, NewAgentLabel, NewAgentAnnotation>(Owner,
            (body, id) =>
            {
                Validation.SameId(body.AgentId, id, "agent_id_mismatch", "agent_id");
                return body.Label;
            },
            (body, id) =>
            {
                Validation.SameId(body.AgentId, id, "agent_id_mismatch", "agent_id");
                return (body.Key, body.Value);
            });
}
