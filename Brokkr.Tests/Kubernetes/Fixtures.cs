using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Fixtures;

namespace Brokkr.Tests.Kubernetes;

/// <summary>The recorded Kubernetes responses the stand-in embeds (Brokkr.KubernetesStandIn/Fixtures).</summary>
internal static class Fixtures
{
    public static string Text(string file) => RecordedFixtures.Embedded.Text(file);

    public static JsonNode Json(string file) => RecordedFixtures.Embedded.Json(file);

    /// <summary>The response body of entry <paramref name="index"/> of a replay file.</summary>
    public static JsonNode ReplayBody(string file, int index) =>
        JsonNode.Parse(Json(file)[index]!["response_body"]!.GetValue<string>())!;
}
