using System.Text.Json;

namespace Brokkr.Wire;

/// <summary>Encodes and decodes <see cref="WsMessage"/> frames; both ends of the channel use this one codec.</summary>
public static class WsCodec
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Upstream writes "type" first, but JSON objects are unordered: accept a body before its tag.
        AllowOutOfOrderMetadataProperties = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static byte[] Encode(WsMessage message) => JsonSerializer.SerializeToUtf8Bytes(message, Options);

    /// <summary>The frame's message, or null when it is not valid JSON, has an unknown tag or a body of the wrong shape.</summary>
    public static WsMessage? TryDecode(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return JsonSerializer.Deserialize<WsMessage>(utf8, Options);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            return null;
        }
    }
}
