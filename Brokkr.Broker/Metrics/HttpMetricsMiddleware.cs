using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// Records the <c>brokkr_http_*</c> families for every request except the excluded paths (always the scrape path).
/// It runs outermost, after routing has picked the endpoint, so it sees the final status code of every outcome —
/// errors mapped to envelopes, empty 401s and exceptions alike.
/// </summary>
public sealed class HttpMetricsMiddleware(RequestDelegate next, HttpMetrics metrics, IReadOnlySet<string> excludedPaths)
{
    private const int ClientClosedRequest = 499;

    public async Task InvokeAsync(HttpContext context)
    {
        if (excludedPaths.Contains(context.Request.Path.Value ?? ""))
        {
            await next(context);
            return;
        }

        var start = Stopwatch.GetTimestamp();
        metrics.Started();
        var requestBody = CountRequestBody(context.Request);
        var responseBody = new CountingResponseBody(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
        context.Features.Set<IHttpResponseBodyFeature>(responseBody);
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        catch when (context.RequestAborted.IsCancellationRequested)
        {
            // nginx's "client closed request": a client hanging up is not a server error and must not page anyone.
            status = ClientClosedRequest;
            throw;
        }
        finally
        {
            context.Features.Set(responseBody.Inner);
            metrics.Finished(EndpointLabel.Of(context.GetEndpoint()), EndpointLabel.Method(context.Request.Method), status,
                Stopwatch.GetElapsedTime(start).TotalSeconds,
                context.Request.ContentLength ?? requestBody?.Count ?? 0, responseBody.BytesWritten);
        }
    }

    /// <summary>
    /// Content-Length is the size when the client sent one; a chunked body (HttpClient's JsonContent sends those) is
    /// counted as it is read.
    /// </summary>
    private static CountingStream? CountRequestBody(HttpRequest request)
    {
        if (request.ContentLength is not null ||
            request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return null;
        }
        var counting = new CountingStream(request.Body);
        request.Body = counting;
        return counting;
    }
}
