using System.Text.Json;

namespace Brokkr.AppHost.Hosting;

/// <summary>
/// Writes <c>aspire-manifest.json</c> in Aspire 9.x's shape: Utf8JsonWriter, 2-space indent, no trailing newline, resources
/// in model order followed by the ones only referenced (the generated password parameters).
/// </summary>
internal sealed class ManifestPublisher(IReadOnlyList<IResource> model, DistributedApplicationExecutionContext executionContext)
{
    public const string SchemaUrl = "https://json.schemastore.org/aspire-8.0.json";

    /// <summary>Aspire's <c>--output-path</c> rule: a path ending .json is the file, anything else a folder receiving it.</summary>
    public static string ResolveOutputPath(string outputPath)
    {
        var full = Path.GetFullPath(outputPath);
        return full.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? full : Path.Combine(full, "aspire-manifest.json");
    }

    public async Task WriteAsync(string manifestPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(manifestPath)!);
        await using var stream = File.Create(manifestPath);
        await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n" });
        var context = new ManifestResourceWriter(writer, executionContext, Path.GetDirectoryName(manifestPath)!, new ManifestPortAllocator(model));

        writer.WriteStartObject();
        writer.WriteString("$schema", SchemaUrl);
        writer.WriteStartObject("resources");
        foreach (var resource in model.Concat(ReferencedOnly()))
        {
            writer.WriteStartObject(resource.Name);
            await context.WriteAsync(resource, cancellationToken);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>Parameters reached through connection strings but never added to the model themselves.</summary>
    private IEnumerable<IResource> ReferencedOnly()
    {
        var seen = model.ToHashSet();
        return model.OfType<IResourceWithConnectionString>()
            .SelectMany(r => Referenced(r.ConnectionStringExpression))
            .Where(seen.Add);
    }

    private static IEnumerable<IResource> Referenced(ReferenceExpression expression)
    {
        foreach (var provider in expression.ValueProviders)
        {
            if (provider is ParameterResource parameter)
            {
                yield return parameter;
            }
        }
    }
}
