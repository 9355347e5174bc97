using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Wire;

namespace Brokkr.Tests.Channel;

/// <summary>
/// The channel's frames against a golden file with one message of every upstream brokkr-wire variant: each decodes to
/// its variant and encodes back to the same JSON, so an upstream agent or broker reads what we write and vice versa.
/// </summary>
public sealed class WireGoldenTests
{
    private static readonly JsonArray Fixture = (JsonArray)JsonNode.Parse(
        File.ReadAllText(Path.Combine(RepositoryRoot.Path, "Brokkr.Tests", "Channel", "ws_message_v1.json")))!;

    public static TheoryData<int> Frames() => [.. Enumerable.Range(0, Fixture.Count)];

    [Theory]
    [MemberData(nameof(Frames))]
    public void Every_golden_frame_round_trips_to_the_same_json(int index)
    {
        var original = Fixture[index]!;
        var message = WsCodec.TryDecode(Encoding.UTF8.GetBytes(original.ToJsonString()));

        Assert.NotNull(message);
        Assert.Equal(original["type"]!.GetValue<string>(), message.Type);
        var encoded = JsonNode.Parse(WsCodec.Encode(message))!;
        Assert.True(JsonNode.DeepEquals(original, encoded), $"expected {original.ToJsonString()}\n     got {encoded.ToJsonString()}");
    }

    [Fact]
    public void The_fixture_covers_every_variant_once()
    {
        var declared = typeof(WsMessage).GetCustomAttributes<JsonDerivedTypeAttribute>().Select(a => (string)a.TypeDiscriminator!).Order();
        var inFixture = Fixture.Select(f => f!["type"]!.GetValue<string>()).Order();
        Assert.Equal(declared, inFixture);
    }

    [Fact]
    public void A_body_written_before_its_tag_still_decodes()
    {
        var message = WsCodec.TryDecode("""{"body":{"agent_id":"0b0e4c1a-7d2f-4e55-9a61-3c8d2f1e0a01","sent_at":"2025-11-30T12:34:56Z"},"type":"heartbeat"}"""u8);

        var heartbeat = Assert.IsType<HeartbeatMessage>(message);
        Assert.Null(heartbeat.Body.K8sReachable); // optional fields an older agent omits
    }

    [Theory]
    [InlineData("""{"type":"telepathy","body":{}}""")]
    [InlineData("""{"type":"heartbeat","body":{"sent_at":"2025-11-30T12:34:56Z"}}""")]
    [InlineData("""{"type":"heartbeat","body":{"agent_id":"nope","sent_at":"2025-11-30T12:34:56Z"}}""")]
    [InlineData("""{"body":{}}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""{"type":"heartbeat",""")]
    public void A_frame_that_is_not_a_known_message_decodes_to_null(string frame) =>
        Assert.Null(WsCodec.TryDecode(Encoding.UTF8.GetBytes(frame)));
}
