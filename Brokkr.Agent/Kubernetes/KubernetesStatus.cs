using System.Text.Json;
using System.Text.Json.Serialization;

namespace Brokkr.Agent.Kubernetes;

/// <summary>The <c>Status</c> object (meta/v1) the API server answers with on errors and some deletes.</summary>
public sealed record KubernetesStatus
{
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
    [JsonPropertyName("reason")] public string? Reason { get; init; }
    [JsonPropertyName("code")] public int? Code { get; init; }
    [JsonPropertyName("details")] public KubernetesStatusDetails? Details { get; init; }

    /// <summary>Reads a body as a Status when it is one (kind "Status"); otherwise null.</summary>
    public static KubernetesStatus? TryParse(string? body)
    {
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("kind", out var kind) || kind.GetString() != "Status")
            {
                return null;
            }

            return document.RootElement.Deserialize<KubernetesStatus>();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public sealed record KubernetesStatusDetails
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("group")] public string? Group { get; init; }
    [JsonPropertyName("kind")] public string? Kind { get; init; }
    [JsonPropertyName("uid")] public string? Uid { get; init; }
    [JsonPropertyName("retryAfterSeconds")] public int? RetryAfterSeconds { get; init; }
    [JsonPropertyName("causes")] public IReadOnlyList<KubernetesStatusCause>? Causes { get; init; }
}

public sealed record KubernetesStatusCause
{
    [JsonPropertyName("reason")] public string? Reason { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
    [JsonPropertyName("field")] public string? Field { get; init; }
}
