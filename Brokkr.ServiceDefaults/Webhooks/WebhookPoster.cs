using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Brokkr.ServiceDefaults.Webhooks;

/// <summary>The outcome of one attempt: a status when the receiver answered, an error text (never a secret) otherwise.</summary>
public sealed record WebhookAttempt(bool Success, int? StatusCode, string? Error, long DurationMs);

/// <summary>One webhook to send: what the broker's worker and an agent both POST.</summary>
public sealed record WebhookMessage(Guid DeliveryId, string EventType, string Payload, string Url, string? AuthHeader, TimeSpan Timeout);

/// <summary>
/// Sends a webhook the same way from the broker and from agents: JSON POST, the auth header as <c>Authorization</c>,
/// <c>X-Brokkr-Event-Type</c>, <c>X-Brokkr-Delivery-Id</c>, <c>X-Brokkr-Timestamp</c> (Unix seconds) and — when an auth
/// header is configured — <c>X-Brokkr-Signature: sha256=hex(HMAC-SHA256(auth header, timestamp + "." + body))</c>, so a
/// receiver can check that the body and time were not altered and refuse replays. The whole attempt (connect, send,
/// read) is bounded by the message's timeout; redirects are not followed.
/// </summary>
public static class WebhookPoster
{
    public const string SignatureHeader = "X-Brokkr-Signature";
    public const string TimestampHeader = "X-Brokkr-Timestamp";
    private const int MaxErrorBodyChars = 200;

    /// <summary>A client for webhooks: no redirects, no overall timeout (each attempt has its own).</summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public static string Signature(string secret, string timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));

    public static async Task<WebhookAttempt> SendAsync(HttpClient client, WebhookMessage message, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(message.Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, message.Url)
            {
                Content = new StringContent(message.Payload, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            };
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            request.Headers.TryAddWithoutValidation("X-Brokkr-Event-Type", message.EventType);
            request.Headers.TryAddWithoutValidation("X-Brokkr-Delivery-Id", message.DeliveryId.ToString());
            request.Headers.TryAddWithoutValidation(TimestampHeader, timestamp);
            if (!string.IsNullOrEmpty(message.AuthHeader))
            {
                request.Headers.TryAddWithoutValidation("Authorization", message.AuthHeader);
                request.Headers.TryAddWithoutValidation(SignatureHeader, Signature(message.AuthHeader, timestamp, message.Payload));
            }
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new WebhookAttempt(true, status, null, watch.ElapsedMilliseconds);
            }
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var excerpt = body.Length > MaxErrorBodyChars ? body[..MaxErrorBodyChars] : body;
            return new WebhookAttempt(false, status, $"HTTP {status} {response.ReasonPhrase}: {excerpt}".TrimEnd(' ', ':'), watch.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WebhookAttempt(false, null, $"timed out after {message.Timeout.TotalSeconds:0.###} s", watch.ElapsedMilliseconds);
        }
        catch (HttpRequestException e)
        {
            // The message of a transport failure names the host and port at most, not the path or query.
            return new WebhookAttempt(false, null, "transport error: " + (e.HttpRequestError == HttpRequestError.Unknown ? "request failed" : e.HttpRequestError.ToString()),
                watch.ElapsedMilliseconds);
        }
        catch (Exception e) when (e is InvalidOperationException or UriFormatException or NotSupportedException)
        {
            return new WebhookAttempt(false, null, "the URL cannot be requested", watch.ElapsedMilliseconds);
        }
    }
}
