using System.Reflection;
using System.Text.Json.Nodes;

namespace Brokkr.KubernetesStandIn.Fixtures;

/// <summary>
/// The real kube-apiserver responses recorded in this folder (provenance in SOURCES.md). They are embedded in the
/// assembly, so the stand-in serves them from its published output as well as from a source checkout; a folder can
/// replace them (<see cref="StandInOptions.FixturesPath"/>, <c>--fixtures</c>) to serve another server's recordings.
/// </summary>
public sealed class RecordedFixtures
{
    private const string ResourcePrefix = "Fixtures/";
    private readonly string? _directory;

    private RecordedFixtures(string? directory) => _directory = directory;

    /// <summary>The recordings embedded in the stand-in.</summary>
    public static RecordedFixtures Embedded { get; } = new(null);

    /// <summary>Recordings read from a folder holding files of the same names.</summary>
    public static RecordedFixtures FromDirectory(string directory) =>
        Directory.Exists(directory)
            ? new RecordedFixtures(directory)
            : throw new DirectoryNotFoundException("Kubernetes fixtures folder not found: " + directory);

    /// <summary>The names of the embedded recordings.</summary>
    public static IEnumerable<string> EmbeddedNames =>
        typeof(RecordedFixtures).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Select(n => n[ResourcePrefix.Length..]);

    public string Text(string file)
    {
        if (_directory is not null)
        {
            return File.ReadAllText(Path.Combine(_directory, file));
        }

        using var stream = typeof(RecordedFixtures).Assembly.GetManifestResourceStream(ResourcePrefix + file)
            ?? throw new FileNotFoundException("no embedded Kubernetes fixture named " + file, file);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public JsonNode Json(string file) => JsonNode.Parse(Text(file))!;
}
