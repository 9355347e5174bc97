using System.Text.Json.Serialization;

namespace Brokkr.Broker.Errors;

/// <summary>Brokkr's error envelope: clients match on <see cref="Code"/> only; <see cref="Details"/> is omitted when empty (§3).</summary>
public sealed record ErrorBody(
    string Code,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, object>? Details = null);

/// <summary>
/// A client-visible failure raised anywhere below an endpoint; <see cref="ErrorMappingMiddleware"/> turns it into
/// the envelope. Handlers throw it for every 4xx so their bodies stay the happy path.
/// </summary>
public sealed class ApiException(int status, string code, string message, IReadOnlyDictionary<string, object>? details = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public IReadOnlyDictionary<string, object>? Details { get; } = details;

    /// <summary>Sent as <c>Retry-After</c> when set: the failure is temporary and the client should come back.</summary>
    public int? RetryAfterSeconds { get; init; }

    public ErrorBody ToBody() => new(Code, Message, Details);

    public static ApiException NotFound(string code, string message) => new(StatusCodes.Status404NotFound, code, message);
    public static ApiException Forbidden(string code, string message) => new(StatusCodes.Status403Forbidden, code, message);
    public static ApiException BadRequest(string code, string message) => new(StatusCodes.Status400BadRequest, code, message);
    public static ApiException Unprocessable(string code, string message) => new(StatusCodes.Status422UnprocessableEntity, code, message);
}

/// <summary>Thrown when the caller is not authenticated: answered 401 with an empty body (spec §2.3).</summary>
public sealed class UnauthenticatedException() : Exception("unauthenticated");

/// <summary>
/// The PAK could not be checked: answered 500 with an empty body (spec §2.3) — unless the database is unreachable, which
/// is a 503 <c>database_unavailable</c> like any other request's (<see cref="ErrorMappingMiddleware"/>).
/// </summary>
public sealed class AuthenticationUnavailableException(Exception inner) : Exception("authentication unavailable", inner);
