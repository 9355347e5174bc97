using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Brokkr.Cli.Manifests;

/// <summary>
/// A stack's desired state as one multi-document YAML stream: a single file, standard input (<c>-</c>), or a folder's
/// top-level <c>*.yaml</c>/<c>*.yml</c> files in name order, joined with <c>---</c> as upstream's CLI joins them (so
/// both compute the same checksum for the same folder). Every document must have <c>apiVersion</c> and <c>kind</c>.
/// </summary>
public sealed record ManifestBundle(string Yaml, int Files, int Documents)
{
    public const string StandardInput = "-";

    /// <summary>Lowercase hex SHA-256 of the content: what the broker stores as <c>yaml_checksum</c>.</summary>
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Yaml)));

    public int Bytes => Encoding.UTF8.GetByteCount(Yaml);

    /// <exception cref="CliFailure">Nothing to read, unreadable, not YAML, or a document without apiVersion/kind.</exception>
    public static ManifestBundle Read(string path, TextReader standardInput)
    {
        var sources = path == StandardInput
            ? [(Name: "standard input", Text: standardInput.ReadToEnd())]
            : ListFiles(path).Select(file => (Name: file, Text: ReadFile(file))).ToList();
        var documents = 0;
        foreach (var (name, text) in sources)
        {
            documents += Validate(name, text);
        }
        if (documents == 0)
        {
            throw new CliFailure(CliExitCodes.Usage, $"{(path == StandardInput ? "standard input" : path)} holds no manifest");
        }
        var yaml = string.Join("\n---\n", sources.Select(s => s.Text.TrimEnd())) + "\n";
        return new ManifestBundle(yaml, sources.Count, documents);
    }

    private static List<string> ListFiles(string path)
    {
        if (File.Exists(path))
        {
            return [path];
        }
        if (!Directory.Exists(path))
        {
            throw new CliFailure(CliExitCodes.Usage, $"{path}: no such file or folder");
        }
        var files = Directory.EnumerateFiles(path)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files : throw new CliFailure(CliExitCodes.Usage, $"{path} has no .yaml or .yml files");
    }

    private static string ReadFile(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure(CliExitCodes.Usage, $"cannot read {file}: {e.Message}");
        }
    }

    /// <summary>The number of non-empty documents in <paramref name="text"/>, each checked for apiVersion and kind.</summary>
    private static int Validate(string name, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new CliFailure(CliExitCodes.Usage, $"{name}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        var count = 0;
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is YamlScalarNode { Value: null or "" or "~" or "null" })
            {
                continue;
            }
            if (document.RootNode is not YamlMappingNode root || !HasString(root, "apiVersion") || !HasString(root, "kind"))
            {
                throw new CliFailure(CliExitCodes.Usage,
                    $"{name}: document {count + 1} (line {document.RootNode.Start.Line}) has no apiVersion and kind; every manifest needs both");
            }
            count++;
        }
        return count;
    }

    private static bool HasString(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode { Value.Length: > 0 };
}
