using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Brokkr.ServiceDefaults.Tracing;

/// <summary>
/// Completes ASP.NET Core's server span (the OpenTelemetry instrumentation package is not available): names it
/// "METHOD route" once routing has picked the endpoint and adds the HTTP semantic-convention tags. Probe and scrape
/// requests are not recorded, so health checks every few seconds do not drown the traces.
/// </summary>
internal sealed class HttpServerSpanMiddleware(RequestDelegate next, IReadOnlySet<string> untracedPaths)
{
    private const string AspNetCoreSource = "Microsoft.AspNetCore";

    private static readonly HashSet<string> KnownMethods = new(StringComparer.Ordinal)
    {
        "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE",
    };

    public async Task InvokeAsync(HttpContext context)
    {
        var activity = Activity.Current;
        if (activity is null || activity.Source.Name != AspNetCoreSource)
        {
            await next(context);
            return;
        }

        if (untracedPaths.Contains(context.Request.Path.Value ?? ""))
        {
            activity.IsAllDataRequested = false;
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            await next(context);
            return;
        }

        if (!activity.IsAllDataRequested)
        {
            await next(context);
            return;
        }

        var request = context.Request;
        var method = KnownMethods.Contains(request.Method) ? request.Method : "_OTHER";
        activity.SetTag("http.request.method", method);
        if (method != request.Method)
        {
            activity.SetTag("http.request.method_original", request.Method);
        }

        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("url.path", request.Path.Value);
        // Brokkr's API carries no secrets in query strings (PAKs travel in the Authorization header, which no tag
        // records), so the query is kept whole rather than redacted.
        if (request.QueryString.HasValue && request.QueryString.Value!.Length > 1)
        {
            activity.SetTag("url.query", request.QueryString.Value[1..]);
        }

        activity.SetTag("server.address", request.Host.Host);
        activity.SetTag("server.port", request.Host.Port ?? (request.IsHttps ? 443 : 80));
        activity.SetTag("network.protocol.version", ProtocolVersion(request.Protocol));
        if (request.Headers.UserAgent.ToString() is { Length: > 0 } userAgent)
        {
            activity.SetTag("user_agent.original", userAgent);
        }
        try
        {
            await next(context);
        }
        catch (Exception e)
        {
            activity.SetTag("error.type", e.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error);
            Complete(activity, context, method, StatusCodes.Status500InternalServerError);
            throw;
        }

        Complete(activity, context, method, context.Response.StatusCode);
    }

    private static void Complete(Activity activity, HttpContext context, string method, int statusCode)
    {
        activity.SetTag("http.response.status_code", statusCode);
        // Read at the end: forwarded-headers middleware, if the service uses it, has put the real client in by now.
        if (context.Connection.RemoteIpAddress is { } client)
        {
            activity.SetTag("client.address", client.ToString());
        }

        // An exception's type, set by the caller, says more than the status code it became.
        if (statusCode >= 500 && activity.GetTagItem("error.type") is null)
        {
            activity.SetTag("error.type", statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (statusCode >= 500)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }

        var route = (context.Features.Get<IEndpointFeature>()?.Endpoint as RouteEndpoint)?.RoutePattern.RawText;
        if (route is null)
        {
            activity.DisplayName = method;
            return;
        }

        route = route.StartsWith('/') ? route : "/" + route;
        activity.SetTag("http.route", route);
        activity.DisplayName = method + " " + route;
    }

    private static string ProtocolVersion(string protocol) => protocol switch
    {
        "HTTP/1.0" => "1.0",
        "HTTP/1.1" => "1.1",
        "HTTP/2" => "2",
        "HTTP/3" => "3",
        _ => protocol,
    };
}
