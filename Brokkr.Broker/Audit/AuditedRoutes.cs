namespace Brokkr.Broker.Audit;

/// <summary>What a successful call of one route records: each action on the resource its id comes from.</summary>
/// <param name="IdFrom">The route value holding the resource id, or null for the first id in the response's <c>Location</c>.</param>
/// <param name="Change">For updates made through a sub-resource (a label, a target): what changed, kept in <c>details.change</c>.</param>
public sealed record AuditedRoute(string ResourceType, string[] Actions, string? IdFrom = "id", string? Change = null, string? PakOwner = null);

/// <summary>
/// The one table of audited API writes, keyed by method and route pattern, so no endpoint records anything itself.
/// Every other write route must be listed in <see cref="NotAudited"/> with its reason; a test holds the route table to
/// the two lists, so a new write route cannot go unaudited by accident. PAK actions are recorded with the owning
/// agent's or generator's id as the resource; the PAK itself is never part of an entry.
/// </summary>
public static class AuditedRoutes
{
    private const string Api = "/api/v1";

    public static readonly IReadOnlyDictionary<string, AuditedRoute> Routes = new Dictionary<string, AuditedRoute>(StringComparer.OrdinalIgnoreCase)
    {
        ["POST /generators"] = new("generator", ["generator.created", "pak.created"], IdFrom: null, PakOwner: "generator"),
        ["PUT /generators/{id}"] = new("generator", ["generator.updated"]),
        ["DELETE /generators/{id}"] = new("generator", ["generator.deleted", "pak.revoked"], PakOwner: "generator"),
        ["POST /generators/{id}/rotate-pak"] = new("pak", ["pak.rotated"], PakOwner: "generator"),
        ["POST /generators/{id}/register"] = new("agent", ["agent.registered"], IdFrom: null),
        ["DELETE /generators/{id}/register"] = new("generator", ["agent.deregistered"]),

        ["POST /agents"] = new("agent", ["agent.created", "pak.created"], IdFrom: null, PakOwner: "agent"),
        ["PUT /agents/{id}"] = new("agent", ["agent.updated"]),
        ["DELETE /agents/{id}"] = new("agent", ["agent.deleted", "pak.revoked"], PakOwner: "agent"),
        ["POST /agents/{id}/rotate-pak"] = new("pak", ["pak.rotated"], PakOwner: "agent"),
        ["POST /agents/{id}/labels"] = new("agent", ["agent.updated"], Change: "label_added"),
        ["DELETE /agents/{id}/labels/{label}"] = new("agent", ["agent.updated"], Change: "label_removed"),
        ["POST /agents/{id}/annotations"] = new("agent", ["agent.updated"], Change: "annotation_added"),
        ["DELETE /agents/{id}/annotations/{key}"] = new("agent", ["agent.updated"], Change: "annotation_removed"),
        ["POST /agents/{id}/targets"] = new("agent", ["agent.updated"], Change: "target_added"),
        ["DELETE /agents/{id}/targets/{stackId}"] = new("agent", ["agent.updated"], Change: "target_removed"),

        ["POST /stacks"] = new("stack", ["stack.created"], IdFrom: null),
        ["PUT /stacks/{id}"] = new("stack", ["stack.updated"]),
        ["DELETE /stacks/{id}"] = new("stack", ["stack.deleted"]),
        ["POST /stacks/{id}/labels"] = new("stack", ["stack.updated"], Change: "label_added"),
        ["DELETE /stacks/{id}/labels/{label}"] = new("stack", ["stack.updated"], Change: "label_removed"),
        ["POST /stacks/{id}/annotations"] = new("stack", ["stack.updated"], Change: "annotation_added"),
        ["DELETE /stacks/{id}/annotations/{key}"] = new("stack", ["stack.updated"], Change: "annotation_removed"),
        ["POST /stacks/{id}/deployment-objects"] = new("deployment_object", ["deployment_object.created"], IdFrom: null),
        ["POST /stacks/{stack_id}/deployment-objects/from-template"] = new("deployment_object", ["deployment_object.created"], IdFrom: null),

        ["POST /templates"] = new("template", ["template.created"], IdFrom: null),
        ["PUT /templates/{id}"] = new("template", ["template.updated"]),
        ["DELETE /templates/{id}"] = new("template", ["template.deleted"]),
        ["POST /templates/{id}/labels"] = new("template", ["template.updated"], Change: "label_added"),
        ["DELETE /templates/{id}/labels/{label}"] = new("template", ["template.updated"], Change: "label_removed"),
        ["POST /templates/{id}/annotations"] = new("template", ["template.updated"], Change: "annotation_added"),
        ["DELETE /templates/{id}/annotations/{key}"] = new("template", ["template.updated"], Change: "annotation_removed"),

        ["POST /webhooks"] = new("webhook_subscription", ["webhook.created"], IdFrom: null),
        ["PUT /webhooks/{id}"] = new("webhook_subscription", ["webhook.updated"]),
        ["DELETE /webhooks/{id}"] = new("webhook_subscription", ["webhook.deleted"]),

        ["POST /work-orders"] = new("work_order", ["workorder.created"], IdFrom: null),
        ["DELETE /work-orders/{id}"] = new("work_order", ["workorder.deleted"]),
        ["POST /work-orders/{id}/claim"] = new("work_order", ["workorder.claimed"]),
        // The outcome (completed, failed, retry) is read from the answer: see AuditEndpointFilter.
        ["POST /work-orders/{id}/complete"] = new("work_order", ["workorder.completed"]),

        // Not an upstream action: asking an agent to read pods, events and logs is an operator's act worth a trail.
        ["POST /deployment-objects/{id}/diagnostics"] = new("diagnostic_request", ["diagnostic.requested"], IdFrom: null),
    };

    /// <summary>Write routes that record nothing, and why.</summary>
    public static readonly IReadOnlyDictionary<string, string> NotAudited = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["POST /auth/pak"] = "reads the caller's own role",
        ["POST /agents/{id}/heartbeat"] = "agent telemetry, every polling interval",
        ["POST /agents/{id}/events"] = "agent telemetry: deployment results",
        ["PATCH /agents/{id}/health-status"] = "agent telemetry: pod health",
        ["POST /webhooks/{id}/test"] = "sends a test event, changes nothing",
        ["POST /webhook-deliveries/{id}/result"] = "an agent's delivery report",
        ["POST /admin/config/reload"] = "records config.reloaded itself, with the change set",
        ["POST /diagnostics/{id}/claim"] = "the addressed agent taking up a request it was sent",
        ["POST /diagnostics/{id}/result"] = "the addressed agent's snapshot: telemetry, kept with the request",
    };

    /// <summary>"METHOD /path" relative to /api/v1 for a route pattern, or null outside the API.</summary>
    public static string? Key(string method, string? pattern) =>
        pattern is not null && pattern.StartsWith(Api, StringComparison.OrdinalIgnoreCase)
            ? $"{method} {pattern[Api.Length..].TrimEnd('/')}"
            : null;

    public static AuditedRoute? Find(string method, string? pattern) =>
        Key(method, pattern) is { } key && Routes.TryGetValue(key, out var route) ? route : null;

    /// <summary>PAK actions are about the key of the agent or generator the route's id names.</summary>
    public static string ResourceTypeOf(AuditedRoute route, string action) =>
        action.StartsWith("pak.", StringComparison.Ordinal) ? "pak" : route.ResourceType;
}
