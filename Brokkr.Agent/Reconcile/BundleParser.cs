using System.Text.Json.Nodes;
using Brokkr.Agent.Kubernetes;
using YamlDotNet.Core;

namespace Brokkr.Agent.Reconcile;

/// <summary>
/// A deployment object's multi-document YAML → Kubernetes objects (null documents skipped), each required to carry
/// apiVersion, kind and metadata.name; Namespaces and CRDs first so later objects can use them.
/// </summary>
public static class BundleParser
{
    public static List<JsonObject> Parse(string yaml)
    {
        List<JsonNode> documents;
        try
        {
            documents = YamlJson.ParseStream(yaml);
        }
        catch (YamlException e)
        {
            throw new BundleParseException($"invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }

        var objects = new List<JsonObject>();
        for (var i = 0; i < documents.Count; i++)
        {
            if (documents[i] is not JsonObject obj)
            {
                throw new BundleParseException($"document {i + 1} is not a mapping");
            }

            foreach (var (path, value) in new[]
                     { ("apiVersion", obj["apiVersion"]), ("kind", obj["kind"]), ("metadata.name", obj["metadata"]?["name"]) })
            {
                if (value is not JsonValue v || !v.TryGetValue<string>(out var text) || text.Length == 0)
                {
                    throw new BundleParseException($"document {i + 1} has no {path}");
                }
            }

            obj["metadata"]!.AsObject().Remove("managedFields");
            objects.Add(obj);
        }

        return [.. objects.Where(IsPriority), .. objects.Where(o => !IsPriority(o))];
    }

    public static bool IsPriority(JsonObject obj) =>
        obj["kind"]?.GetValue<string>() is "Namespace" or "CustomResourceDefinition";
}

public sealed class BundleParseException(string message) : Exception(message);
