using System.Net.Http.Headers;
using System.Text.Json;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.BrokerMetrics;

/// <summary>
/// Sends requests and books what the broker's HTTP families must show for them: requests per endpoint, method and
/// status, and the exact body bytes each way per endpoint and method.
/// </summary>
internal sealed class HttpLedger
{
    public Dictionary<(string Endpoint, string Method, string Status), int> Requests { get; } = [];

    public Dictionary<(string Endpoint, string Method), (int Count, long RequestBytes, long ResponseBytes)> Routes { get; } = [];

    /// <param name="endpoint">The label the broker must use: the route template in <c>:id</c> form, or unmatched.</param>
    /// <param name="chunked">Send the body without Content-Length, as HttpClient's JsonContent does.</param>
    public async Task<JsonElement> SendAsync(HttpClient client, string method, string path, string endpoint, int status,
        object? body = null, bool chunked = false, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }
        var sent = body is null ? [] : JsonSerializer.SerializeToUtf8Bytes(body, BrokerHost.Json);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(sent);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TransferEncodingChunked = chunked;
        }
        using var response = await client.SendAsync(request);
        var received = await response.Content.ReadAsByteArrayAsync();
        Assert.True((int)response.StatusCode == status,
            $"{method} {path}: expected {status}, got {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(received)}");

        var key = (endpoint, method, status.ToString());
        Requests[key] = Requests.GetValueOrDefault(key) + 1;
        var route = Routes.GetValueOrDefault((endpoint, method));
        Routes[(endpoint, method)] = (route.Count + 1, route.RequestBytes + sent.Length, route.ResponseBytes + received.Length);
        return received.Length == 0 ? default : JsonDocument.Parse(received).RootElement.Clone();
    }
}
