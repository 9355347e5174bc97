using System.Reflection;
using System.Text.Json;
using Brokkr.Broker.Errors;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Http;

/// <summary>
/// Reads request bodies with the spec's rejections (§3) instead of minimal APIs' bare 400s: a JSON endpoint
/// without a JSON Content-Type → 415 <c>unsupported_media_type</c>, unparsable JSON (or a string that is not text,
/// see <see cref="JsonText"/>) → 400 <c>invalid_json</c>,
/// JSON of the wrong shape (missing required member, wrong type, bad UUID) → 422 <c>invalid_body</c>; a body whose
/// HTTP framing is broken (truncated, bad chunked encoding) → 400 <c>invalid_body</c>. The body size limit and the
/// minimum body data rate are Kestrel's (413, 408, mapped by <see cref="ErrorMappingMiddleware"/>).
/// </summary>
public static class RequestBody
{
    public static bool IsJson(HttpRequest request) =>
        request.ContentType is { } type &&
        (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ||
         (type.Split(';')[0].Trim().EndsWith("+json", StringComparison.OrdinalIgnoreCase)));

    public static async Task<byte[]> ReadBytesAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status400BadRequest)
        {
            // Kestrel's 400s while reading a body are about its framing: bad chunked encoding, or fewer bytes than
            // Content-Length before the stream ended. (413 and 408 are mapped by ErrorMappingMiddleware.)
            throw ApiException.BadRequest("invalid_body", "the request body is truncated or its chunked encoding is malformed");
        }
        return buffer.ToArray();
    }

    /// <summary>The body as a JSON document; <c>null</c> when it is empty (whatever its Content-Type).</summary>
    public static async Task<JsonElement?> ReadJsonAsync(HttpRequest request)
    {
        var bytes = await ReadBytesAsync(request);
        if (bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return null;
        }
        if (!IsJson(request))
        {
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "expected Content-Type: application/json");
        }
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw ApiException.BadRequest("invalid_json", "the request body is not valid JSON");
        }
        if (!JsonText.IsText(root))
        {
            throw ApiException.BadRequest("invalid_json", "the request body holds a string with an unpaired surrogate escape (like \\ud800)");
        }
        return root;
    }

    public static T Deserialize<T>(JsonElement element, HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            return element.Deserialize<T>(options) ?? throw InvalidBody("the request body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw InvalidBody(JsonBodyErrors.Describe(e, typeof(T)));
        }
    }

    public static ApiException InvalidBody(string message) => ApiException.Unprocessable("invalid_body", message);
}

/// <summary>
/// Endpoint parameter for a required JSON body of type <typeparamref name="T"/>; binds through <see cref="RequestBody"/>.
/// </summary>
public sealed class Json<T>(T value) : IEndpointParameterMetadataProvider
{
    public T Value { get; } = value;

    public static async ValueTask<Json<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var element = await RequestBody.ReadJsonAsync(context.Request)
            ?? throw RequestBody.InvalidBody("a JSON request body is required");
        return new Json<T>(RequestBody.Deserialize<T>(element, context));
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new JsonBodyMetadata(typeof(T), IsOptional: false));
}

/// <summary>
/// Endpoint parameter for an optional JSON body: a missing or empty body becomes the default instance. Used where the spec says an absent body means <c>{}</c>.
/// </summary>
public sealed class OptionalJson<T>(T value) : IEndpointParameterMetadataProvider where T : new()
{
    public T Value { get; } = value;

    public static async ValueTask<OptionalJson<T>?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        new(await RequestBody.ReadJsonAsync(context.Request) is { } element ? RequestBody.Deserialize<T>(element, context) : new T());

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new JsonBodyMetadata(typeof(T), IsOptional: true));
}

/// <summary>
/// Tells API descriptions (and so the broker's OpenAPI document, which defaults to application/json) the body an
/// endpoint reads. No content types on purpose: with some, routing would answer mismatches itself with a bare 415,
/// bypassing the envelope, and would refuse the JSON deployment objects the spec accepts under any Content-Type.
/// </summary>
public sealed record JsonBodyMetadata(Type RequestType, bool IsOptional) : IAcceptsMetadata
{
    public IReadOnlyList<string> ContentTypes { get; } = [];
}
