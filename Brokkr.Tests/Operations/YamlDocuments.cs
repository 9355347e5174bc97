using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Brokkr.Tests.Operations;

/// <summary>Reads YAML (one or many documents) as JSON nodes, so tests navigate it like any JSON.</summary>
public static class YamlDocuments
{
    private static readonly IDeserializer Reader = new DeserializerBuilder().Build();
    private static readonly ISerializer JsonWriter = new SerializerBuilder().JsonCompatible().Build();

    public static IReadOnlyList<JsonObject> Parse(string yaml)
    {
        var documents = new List<JsonObject>();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            var document = Reader.Deserialize<object?>(parser);
            if (document is not null)
            {
                documents.Add(JsonNode.Parse(JsonWriter.Serialize(document))!.AsObject());
            }
        }

        return documents;
    }

    public static JsonObject ParseFile(string path) => Parse(File.ReadAllText(path)).Single();
}
