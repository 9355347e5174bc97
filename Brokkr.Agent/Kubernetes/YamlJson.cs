using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Brokkr.Yaml;

namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// Converts YAML documents to JSON trees with YAML 1.2 core-schema typing of plain scalars, so that
/// <c>replicas: 3</c> stays a number and <c>"3"</c> stays a string when the object is sent as JSON.
/// Linked into the Kubernetes stand-in as well (internal in both assemblies).
/// </summary>
internal static class YamlJson
{
    /// <summary>Parses a multi-document stream; null and empty documents are skipped.</summary>
    /// <exception cref="YamlException">
    /// Invalid YAML, nesting deeper than <see cref="BoundedYamlParser.MaxDepth"/> levels or aliases expanding too far
    /// (<see cref="BoundedYamlParser"/>): the load, the
    /// conversion below and JsonNode all recurse once per level, and input nested thousands deep would overflow the
    /// stack, which kills the process instead of throwing. The broker refuses such objects with the same parser.
    /// </exception>
    public static List<JsonNode> ParseStream(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(BoundedYamlParser.For(yaml));
        var documents = new List<JsonNode>();
        foreach (var document in stream.Documents)
        {
            var node = Convert(document.RootNode);
            if (node is not null)
            {
                documents.Add(node);
            }
        }

        return documents;
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => ConvertMapping(mapping),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => null,
    };

    private static JsonObject ConvertMapping(YamlMappingNode mapping)
    {
        var result = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            var name = key is YamlScalarNode scalarKey ? scalarKey.Value ?? "" :
                throw new YamlException(key.Start, key.End, "mapping keys must be scalars");
            result[name] = Convert(value);
        }

        return result;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (LooksLikeFloat(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(text);
    }

    // YAML 1.2 core schema floats: digits with a point and/or exponent. Rejects things like "1_000" or "0x1F" ambiguity.
    private static bool LooksLikeFloat(string text) =>
        text.Length > 0 && (char.IsDigit(text[^1]) || text[^1] == '.') &&
        text.All(c => char.IsDigit(c) || c is '.' or 'e' or 'E' or '+' or '-') && text.Any(char.IsDigit);
}
