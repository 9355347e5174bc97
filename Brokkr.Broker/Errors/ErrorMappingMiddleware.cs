using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Errors;

/// <summary>
/// The single place where failures become responses: <see cref="ApiException"/> → envelope, database constraint
/// violations → 409/422 (§3), framework binding rejections → 400/408/413/415 with the envelope, unauthenticated → empty
/// 401, anything else → 500 <c>internal_error</c> (logged without request bodies or headers, which may hold PAKs).
/// </summary>
public sealed class ErrorMappingMiddleware(
    RequestDelegate next, DatabaseOutage outage, ILogger<ErrorMappingMiddleware> logger, IOptions<JsonOptions> json)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var error = exception as ApiException ?? Unavailable(exception);
            if (error is null && exception is UnauthenticatedException or AuthenticationUnavailableException)
            {
                if (exception is AuthenticationUnavailableException)
                {
                    // The inner exception describes the database failure; the PAK never reaches it.
                    logger.LogError(exception.InnerException, "Could not authenticate {Method} {Path}", context.Request.Method, context.Request.Path);
                }
                context.Response.Clear();
                context.Response.StatusCode = exception is UnauthenticatedException
                    ? StatusCodes.Status401Unauthorized
                    : StatusCodes.Status500InternalServerError;
                return;
            }

            error ??= MapDatabaseError(context, exception) ?? FromBadRequest(exception);
            if (error is null)
            {
                logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
                error = new ApiException(StatusCodes.Status500InternalServerError, "internal_error", "internal server error");
            }

            context.Response.Clear();
            context.Response.StatusCode = error.Status;
            if (error.RetryAfterSeconds is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            await context.Response.WriteAsJsonAsync(error.ToBody(), json.Value.SerializerOptions);
        }
    }

    /// <summary>
    /// The database cannot be reached: 503 with <c>Retry-After</c>, logged once per outage by <see cref="DatabaseOutage"/>.
    /// An agent or SDK retries that; an empty 500 told them nothing, and a 401 would make an agent drop a valid PAK.
    /// Also while authenticating, where spec §2.3 has a bare 500: a PAK seen for the first time during an outage gets
    /// the envelope too.
    /// </summary>
    private ApiException? Unavailable(Exception exception)
    {
        if (!DatabaseOutage.IsUnavailable(exception))
        {
            return null;
        }
        outage.Report(exception);
        return new ApiException(StatusCodes.Status503ServiceUnavailable, "database_unavailable", "the database is unavailable; retry later")
        {
            RetryAfterSeconds = DatabaseOutage.RetryAfterSeconds,
        };
    }

    /// <summary>
    /// A database refusal caused by the request (a duplicate name, a NUL character): EF Core's own failure events are
    /// turned down to Debug (BrokerApp), so this line, without the statement or its values, is all it leaves at
    /// Information. Unmapped database failures still go out at Error as unhandled errors.
    /// </summary>
    private ApiException? MapDatabaseError(HttpContext context, Exception exception)
    {
        var error = DatabaseErrors.Map(exception);
        if (error is not null)
        {
            var postgres = DatabaseErrors.Postgres(exception);
            logger.LogInformation("{Method} {Path} refused by the database: {Status} {Code} (SQLSTATE {SqlState}, constraint {Constraint})",
                context.Request.Method, context.Request.Path, error.Status, error.Code, postgres?.SqlState, postgres?.ConstraintName);
        }
        return error;
    }

    private static ApiException? FromBadRequest(Exception exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new ApiException(StatusCodes.Status413PayloadTooLarge, "payload_too_large", "the request body is larger than the broker accepts"),
        // The client sent its body slower than Kestrel's minimum data rate (or stalled).
        BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } =>
            new ApiException(StatusCodes.Status408RequestTimeout, "request_timeout", "the request body arrived too slowly"),
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
            new ApiException(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "expected Content-Type: application/json"),
        // Remaining binding failures are route or query values that do not parse: bodies are read through
        // RequestBody, which maps Kestrel's framing errors itself.
        BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest } =>
            ApiException.BadRequest("invalid_path", "a path segment or query value is malformed"),
        _ => null,
    };
}
