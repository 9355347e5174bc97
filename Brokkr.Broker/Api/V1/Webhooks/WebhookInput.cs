using System.Text.Json;
using System.Text.Json.Nodes;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;

namespace Brokkr.Broker.Api.V1.Webhooks;

/// <summary>The checks a subscription write must pass before anything is stored (400 / 422 with the Brokkr codes).</summary>
public static class WebhookInput
{
    private const string Invalid = "invalid_webhook";

    /// <summary>Fields earlier upstream versions accepted and ignored: refused so nobody believes they act.</summary>
    public static void RejectRemovedFields(JsonElement body, bool creating)
    {
        if (creating && body.TryGetProperty("validate", out _))
        {
            throw Removed("validate", "POST /webhooks/{id}/test");
        }
        if (body.TryGetProperty("filters", out var filters) && filters.ValueKind == JsonValueKind.Object && filters.TryGetProperty("labels", out _))
        {
            throw Removed("filters.labels", "target_labels");
        }
    }

    private static ApiException Removed(string field, string useInstead) => new(StatusCodes.Status422UnprocessableEntity,
        "unsupported_field", $"{field} is no longer supported; use {useInstead}",
        new Dictionary<string, object> { ["field"] = field, ["use_instead"] = useInstead });

    public static string Url(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(uri.Host))
        {
            // The value is not echoed: it may hold a token.
            throw ApiException.BadRequest(Invalid, "url must be an absolute http:// or https:// URL");
        }
        return value.Trim();
    }

    public static string? AuthHeader(string? value)
    {
        if (value is null)
        {
            return null;
        }
        if (value.Length == 0 || value.Length > 4096 || value.Any(c => c is '\r' or '\n' || char.IsControl(c)))
        {
            throw ApiException.BadRequest(Invalid, "auth_header must be 1 to 4096 characters without control characters");
        }
        return value;
    }

    public static string[] EventTypes(List<string>? values)
    {
        if (values is null || values.Count == 0)
        {
            throw ApiException.BadRequest(Invalid, "event_types must name at least one event type");
        }
        foreach (var value in values)
        {
            if (!WebhookEventTypes.IsPattern(value))
            {
                throw ApiException.BadRequest(Invalid,
                    $"unknown event type '{Shorten(value)}'; see GET /api/v1/webhooks/event-types, or use a family wildcard such as deployment.* or *");
            }
        }
        return values.Distinct().ToArray();
    }

    public static string[]? TargetLabels(List<string>? values) =>
        values is null || values.Count == 0 ? null : values.Select(l => Validation.Tag(l, Invalid, "a target label")).Distinct().ToArray();

    public static string? Filters(WebhookFilters? filters)
    {
        if (filters is null || (filters.AgentId is null && filters.StackId is null))
        {
            return null;
        }
        var json = new JsonObject();
        if (filters.AgentId is { } agent) json["agent_id"] = agent.ToString();
        if (filters.StackId is { } stack) json["stack_id"] = stack.ToString();
        return json.ToJsonString();
    }

    public static WebhookFilters? ParseFilters(string? stored)
    {
        if (stored is null)
        {
            return null;
        }
        using var document = JsonDocument.Parse(stored);
        var root = document.RootElement;
        Guid? Member(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && Guid.TryParse(v.GetString(), out var id) ? id : null;
        return new WebhookFilters(Member("agent_id"), Member("stack_id"));
    }

    public static int MaxRetries(int? value) => value is null ? 5 : Range(value.Value, 0, 10, "max_retries");

    public static int TimeoutSeconds(int? value) => value is null ? 30 : Range(value.Value, 1, 300, "timeout_seconds");

    private static int Range(int value, int min, int max, string what) => value >= min && value <= max ? value
        : throw ApiException.Unprocessable("invalid_value", $"{what} must be between {min} and {max}");

    private static string Shorten(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
