namespace Brokkr.Broker.Api.V1.Webhooks;

/// <summary>
/// The event types a subscription can name, each emitted by a trigger through <c>brokkr_webhook_emit</c> (the
/// webhooks migration; <c>workorder.*</c> in the work-order webhooks migration).
/// </summary>
public static class WebhookEventTypes
{
    public static readonly string[] All =
    [
        "agent.registered", "agent.deregistered",
        "stack.created", "stack.deleted",
        "deployment.created", "deployment.applied", "deployment.failed", "deployment.deleted",
        "workorder.created", "workorder.claimed", "workorder.completed", "workorder.failed",
    ];

    private static readonly HashSet<string> Patterns =
        [.. All, .. All.Select(t => t.Split('.')[0] + ".*").Distinct(), "*"];

    /// <summary>An event type, a family wildcard (<c>deployment.*</c>) or <c>*</c>.</summary>
    public static bool IsPattern(string value) => Patterns.Contains(value);
}
