using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// A Kubernetes API call that did not succeed. <see cref="Status"/> holds the server's Status object when the
/// body was one (a plain-text "404 page not found" for an unserved type has none).
/// </summary>
public class KubernetesApiException(HttpStatusCode statusCode, V1Status? status, string message)
    : Exception(message)
{
    public HttpStatusCode StatusCode { get; } = statusCode;
    public V1Status? Status { get; } = status;
    public string? Reason => Status?.Reason;

    /// <summary>Server-side transient failures worth retrying (429/500/503/504 or the matching reasons).</summary>
    public bool IsTransient =>
        StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
        || Reason is "ServiceUnavailable" or "InternalError" or "Timeout" or "ServerTimeout" or "TooManyRequests";
}

/// <summary>404: the object (or its namespace) does not exist, or the resource type is not served.</summary>
public sealed class KubernetesNotFoundException(HttpStatusCode code, V1Status? status, string message)
    : KubernetesApiException(code, status, message)
{
    /// <summary>The plain-text "404 page not found" of a path the server does not serve (no Status): the type is gone.</summary>
    public bool IsPathNotServed => Status is null;
}

/// <summary>409: AlreadyExists, Conflict (including server-side-apply field conflicts).</summary>
public sealed class KubernetesConflictException(HttpStatusCode code, V1Status? status, string message)
    : KubernetesApiException(code, status, message);

/// <summary>422 Invalid or 400 BadRequest: the object itself is wrong; retrying cannot help.</summary>
public sealed class KubernetesInvalidObjectException(HttpStatusCode code, V1Status? status, string message)
    : KubernetesApiException(code, status, message);

/// <summary>401/403: credentials rejected or RBAC denies the call.</summary>
public sealed class KubernetesAccessDeniedException(HttpStatusCode code, V1Status? status, string message)
    : KubernetesApiException(code, status, message);

/// <summary>5xx, 429, timeouts and connection failures: the API server is unavailable for now.</summary>
public sealed class KubernetesUnavailableException(HttpStatusCode code, V1Status? status, string message,
    Exception? inner = null) : KubernetesApiException(code, status, message)
{
    public Exception? Transport { get; } = inner;
}

/// <summary>Maps an unsuccessful HTTP answer to the typed exception for its Status reason or code.</summary>
public static class KubernetesErrors
{
    public static KubernetesApiException FromResponse(HttpStatusCode code, string? body)
    {
        var status = ParseStatus(body);
        var message = status?.Message is { Length: > 0 } text ? text
            : $"Kubernetes API answered {(int)code} {code}: {Truncate(body)}";
        return (status?.Reason, code) switch
        {
            ("NotFound", _) or (_, HttpStatusCode.NotFound) => new KubernetesNotFoundException(code, status, message),
            ("AlreadyExists" or "Conflict", _) or (_, HttpStatusCode.Conflict) =>
                new KubernetesConflictException(code, status, message),
            ("Invalid" or "BadRequest", _) or (_, HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest) =>
                new KubernetesInvalidObjectException(code, status, message),
            ("Unauthorized" or "Forbidden", _) or (_, HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) =>
                new KubernetesAccessDeniedException(code, status, message),
            _ when (int)code >= 500 || code == HttpStatusCode.TooManyRequests =>
                new KubernetesUnavailableException(code, status, message),
            _ => new KubernetesApiException(code, status, message),
        };
    }

    /// <summary>Reads a body as the server's <c>Status</c> when it is one (kind "Status"); otherwise null.</summary>
    public static V1Status? ParseStatus(string? body)
    {
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            var status = KubernetesJson.Deserialize<V1Status>(body);
            return status?.Kind == "Status" ? status : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Truncate(string? body)
    {
        var text = (body ?? "").Trim();
        return text.Length <= 200 ? text : text[..200] + "…";
    }
}
