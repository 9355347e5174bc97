using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// Records the <c>brokkr_http_*</c> families for every request except those routed to an excluded endpoint (always
/// the scrape endpoint). It runs outermost, after routing has picked the endpoint, so it sees the final status code
/// of every outcome — errors mapped to envelopes, empty 401s and exceptions alike.
/// </summary>
public sealed class HttpMetricsMiddleware(RequestDelegate next, HttpMetrics metrics, IReadOnlySet<string> excludedEndpoints)
{
    private const int ClientClosedRequest = 499;

    public async Task InvokeAsync(HttpContext context)
    {
        // Excluded by the matched route, not the raw path, so /healthz/ and /HEALTHZ are excluded with /healthz.
        var endpoint = EndpointLabel.Of(context.GetEndpoint());
        if (excludedEndpoints.Contains(endpoint))
        {
            await next(context);
            return;
        }

        var start = Stopwatch.GetTimestamp();
        var status = StatusCodes.Status500InternalServerError;
        CountingStream? requestBody = null;
        CountingResponseBody? responseBody = null;
        try
        {
            // First in the try: whatever fails from here on, the finally below takes the request out of flight.
            metrics.Started();
            requestBody = CountRequestBody(context);
            responseBody = new CountingResponseBody(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
            context.Features.Set<IHttpResponseBodyFeature>(responseBody);
            await next(context);
            // nginx's "client closed request", also when the application finished regardless of the hang-up.
            status = context.RequestAborted.IsCancellationRequested ? ClientClosedRequest : context.Response.StatusCode;
        }
        catch when (context.RequestAborted.IsCancellationRequested)
        {
            // A client hanging up is not a server error and must not page anyone.
            status = ClientClosedRequest;
            throw;
        }
        finally
        {
            if (responseBody is not null)
            {
                context.Features.Set(responseBody.Inner);
            }
            metrics.Finished(endpoint, EndpointLabel.Method(context.Request.Method), status,
                Stopwatch.GetElapsedTime(start).TotalSeconds, requestBody?.Count ?? 0, responseBody?.BytesWritten ?? 0);
        }
    }

    /// <summary>
    /// The request body is measured as the bytes the broker reads from it, so a Content-Length body and a chunked
    /// one (HttpClient's JsonContent, which the agent uses) are measured alike, and a body refused unread — a 401
    /// before authentication, a 413 over the size limit — counts 0 rather than what the client claimed to send.
    /// </summary>
    private static CountingStream? CountRequestBody(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return null;
        }
        var counting = new CountingStream(context.Request.Body);
        context.Request.Body = counting;
        return counting;
    }
}
