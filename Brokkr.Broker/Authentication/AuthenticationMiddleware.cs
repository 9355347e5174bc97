using Brokkr.Broker.Audit;
using Brokkr.Broker.OperatorConsole;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Metrics;

namespace Brokkr.Broker.Authentication;

/// <summary>
/// Authenticates every <c>/api/v1</c> request before routing binds anything (spec §3 order: 401 first). Accepts
/// <c>Authorization: &lt;PAK&gt;</c> and <c>Authorization: Bearer &lt;PAK&gt;</c>; anything else is 401 with an empty body,
/// counted in <c>brokkr_auth_failures_total</c> by reason and
/// audited as <c>auth.failed</c>.
/// </summary>
public sealed class AuthenticationMiddleware(RequestDelegate next, BusinessMetrics metrics, AuthFailureAudit audit)
{
    public async Task InvokeAsync(HttpContext context, PakResolver resolver, ConsoleCredential console)
    {
        var (pak, failure) = ReadPak(context.Request);
        if (pak is not null && console.Matches(pak))
        {
            // Checked in memory before the database: the console's reads cost no lookup, its writes are refused here.
            ConsoleAccess.Demand(context.Request);
            context.Features.Set(ConsoleCredential.Caller);
            await next(context);
            return;
        }
        Caller? caller;
        try
        {
            caller = pak is null ? null : await resolver.ResolveAsync(pak, context.RequestAborted, context.Connection.RemoteIpAddress);
        }
        catch (Exception e) when (e is not (OperationCanceledException or ApiException))
        {
            // Spec §2.3: a database failure while authenticating is a bare 500, like the 401s (no envelope) — except an
            // unreachable database, which ErrorMappingMiddleware answers 503 database_unavailable.
            throw new AuthenticationUnavailableException(e);
        }
        if (caller is null)
        {
            metrics.AuthFailed(failure ?? AuthFailureReason.Unknown);
            audit.Failed(context, failure ?? AuthFailureReason.Unknown);
            throw new UnauthenticatedException();
        }
        context.Features.Set(caller);
        await next(context);
    }

    internal static (string? Pak, string? Failure) ReadPak(HttpRequest request)
    {
        var values = request.Headers.Authorization;
        if (values.Count == 0 || values is [""])
        {
            return (null, AuthFailureReason.Missing);
        }
        if (values.Count != 1 || values[0] is not { } header || !header.All(char.IsAscii))
        {
            return (null, AuthFailureReason.Malformed);
        }
        var value = header.Trim();
        if (value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            value = value["Bearer ".Length..].Trim();
        }
        if (value.Length == 0)
        {
            return (null, AuthFailureReason.Missing);
        }
        return PakFormat.IsWellFormed(value) ? (value, null) : (null, AuthFailureReason.Malformed);
    }
}
