using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn;

namespace Brokkr.Tests.Kubernetes;

/// <summary>The recorded Kubernetes responses in ../shared/fixtures/kubernetes.</summary>
internal static class Fixtures
{
    public static string Directory { get; } = StandInOptions.FindFixtures();

    public static string Text(string file) => File.ReadAllText(Path.Combine(Directory, file));

    public static JsonNode Json(string file) => JsonNode.Parse(Text(file))!;

    /// <summary>The response body of entry <paramref name="index"/> of a replay file.</summary>
    public static JsonNode ReplayBody(string file, int index) =>
        JsonNode.Parse(Json(file)[index]!["response_body"]!.GetValue<string>())!;
}
