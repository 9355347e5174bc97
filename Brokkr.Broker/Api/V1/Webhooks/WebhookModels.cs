namespace Brokkr.Broker.Api.V1.Webhooks;

// The contract's webhook shapes (docs/reference/brokkr-v1.openapi.json, tag "webhooks"), snake_case on the wire.

/// <summary>Payload filters: every field set must equal the event's; an event without the field never matches.</summary>
public sealed record WebhookFilters(Guid? AgentId = null, Guid? StackId = null);

public sealed record CreateWebhookRequest(
    string Name,
    string Url,
    List<string> EventTypes,
    string? AuthHeader = null,
    WebhookFilters? Filters = null,
    List<string>? TargetLabels = null,
    int? MaxRetries = null,
    int? TimeoutSeconds = null);

/// <summary>Every member optional; which ones were sent (and sent as null) is read from the raw body.</summary>
public sealed record UpdateWebhookRequest(
    string? Name = null,
    string? Url = null,
    string? AuthHeader = null,
    List<string>? EventTypes = null,
    WebhookFilters? Filters = null,
    List<string>? TargetLabels = null,
    bool? Enabled = null,
    int? MaxRetries = null,
    int? TimeoutSeconds = null);

/// <summary>A subscription as the API shows it: whether a URL and auth header are stored, never their values.</summary>
public sealed record WebhookResponse(
    Guid Id,
    string Name,
    bool HasUrl,
    bool HasAuthHeader,
    string[] EventTypes,
    WebhookFilters? Filters,
    string[]? TargetLabels,
    bool Enabled,
    int MaxRetries,
    int TimeoutSeconds,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    string? CreatedBy);

/// <summary>A delivery claimed by an agent, with the decrypted URL and auth header it needs to send it.</summary>
public sealed record PendingWebhookDelivery(
    Guid Id,
    Guid SubscriptionId,
    string EventType,
    string Payload,
    string Url,
    string? AuthHeader,
    int TimeoutSeconds,
    int MaxRetries,
    int Attempts);

public sealed record DeliveryResultRequest(bool Success, int? StatusCode = null, string? Error = null, long? DurationMs = null);

public sealed record WebhookTestResult(bool Success, int? StatusCode, string Message);
