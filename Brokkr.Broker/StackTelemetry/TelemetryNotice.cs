using System.Text;
using System.Text.Json;
using Brokkr.Wire;

namespace Brokkr.Broker.StackTelemetry;

/// <summary>
/// What a committed telemetry batch tells every replica on <see cref="Channel"/>: the stacks it wrote rows for and the
/// batch's <c>created_at</c> (a replica with live subscribers on one of them reads those rows back), or one log gap
/// (gaps are not stored, so the marker travels whole). Kept well under PostgreSQL's 8000-byte payload limit.
/// </summary>
public sealed record TelemetryNotice(DateTime? At = null, Guid[]? Stacks = null, WireLogGap? Gap = null)
{
    public const string Channel = "brokkr_stack_telemetry";

    // 120 ids of 38 bytes each, plus the envelope: about 4.7 KB.
    private const int StacksPerNotice = 120;

    public static IEnumerable<string> For(DateTime at, IEnumerable<Guid> stacks, IEnumerable<WireLogGap> gaps)
    {
        foreach (var chunk in stacks.Chunk(StacksPerNotice))
        {
            yield return Encode(new TelemetryNotice(At: at, Stacks: chunk));
        }
        foreach (var gap in gaps)
        {
            yield return Encode(new TelemetryNotice(Gap: gap));
        }
    }

    public static TelemetryNotice? TryDecode(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize<TelemetryNotice>(payload, WsCodec.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Encode(TelemetryNotice notice) => Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(notice, WsCodec.Options));
}
