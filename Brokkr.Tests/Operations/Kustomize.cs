using System.Text.Json.Nodes;
using Brokkr.Tests.Infrastructure;

namespace Brokkr.Tests.Operations;

/// <summary>Renders kustomizations with the real `kubectl kustomize` and reads the result as JSON objects.</summary>
public static class Kustomize
{
    public static string Root => OperationsFiles.Deploy("kubernetes");

    public static IReadOnlyList<string> Overlays =>
        Directory.GetDirectories(Path.Combine(Root, "overlays")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    public static Task<Rendered> RenderOverlayAsync(string overlay) => RenderAsync(Path.Combine(Root, "overlays", overlay));

    /// <summary>
    /// Renders a kustomization written on the fly in a temporary folder; <paramref name="kustomization"/> names the
    /// repository's bases and components as {root}/base/broker and so on (kustomize accepts only relative paths).
    /// </summary>
    public static async Task<Rendered> RenderAdHocAsync(string kustomization, params (string Name, string Content)[] files)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"brokkr-test-kustomize-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var root = Path.GetRelativePath(dir, Root);
            await File.WriteAllTextAsync(Path.Combine(dir, "kustomization.yaml"), kustomization.Replace("{root}", root));
            foreach (var (name, content) in files)
            {
                await File.WriteAllTextAsync(Path.Combine(dir, name), content);
            }

            return await RenderAsync(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<Rendered> RenderAsync(string dir)
    {
        // Written to a file so kubectl's warnings on stderr never mix with the YAML.
        var output = Path.Combine(Path.GetTempPath(), $"brokkr-test-kustomize-{Guid.NewGuid():N}.yaml");
        try
        {
            await ProcessRunner.RunAsync(RequiredTool.Kubectl, ["kustomize", dir, "--output", output]);
            return new Rendered(YamlDocuments.Parse(await File.ReadAllTextAsync(output)));
        }
        finally
        {
            File.Delete(output);
        }
    }

    public sealed record Rendered(IReadOnlyList<JsonObject> Resources)
    {
        public IEnumerable<string> Kinds => Resources.Select(r => r["kind"]!.GetValue<string>());

        public IEnumerable<JsonObject> OfKind(string kind) => Resources.Where(r => r["kind"]!.GetValue<string>() == kind);

        public JsonObject Single(string kind, string name) =>
            Assert.Single(OfKind(kind), r => r["metadata"]!["name"]!.GetValue<string>() == name);

        public JsonObject Container(string deployment) =>
            Assert.Single(Single("Deployment", deployment)["spec"]!["template"]!["spec"]!["containers"]!.AsArray())!.AsObject();

        public JsonObject? PodAnnotations(string deployment) =>
            Single("Deployment", deployment)["spec"]!["template"]!["metadata"]?["annotations"]?.AsObject();

        public string? Setting(string configMap, string key) => Single("ConfigMap", configMap)["data"]?[key]?.GetValue<string>();
    }
}
