using System.Text.Json.Nodes;

namespace Brokkr.KubernetesStandIn.Discovery;

/// <summary>A resource type the stand-in serves; <see cref="Definition"/> is its discovery entry as served.</summary>
public sealed record ServedResource(string Group, string Version, string Plural, string Kind, bool Namespaced,
    bool IsCustom, JsonObject Definition)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>"configmaps" or "jobs.batch": how NotFound messages name the resource.</summary>
    public string QualifiedPlural => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
