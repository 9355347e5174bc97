using System.Text.Json;
using Brokkr.Tests.AppHost.Testing;

namespace Brokkr.Tests.Broker;

/// <summary>
/// The core operations of the Brokkr v1 wire contract (docs/reference/brokkr-v1.openapi.json): every path+method except the later-phase features
/// the spec lists in §10 (templates, work orders, webhooks, diagnostics, WebSocket/fleet/telemetry, audit, admin ops).
/// </summary>
public static class CoreContract
{
    private static readonly string[] NonCorePrefixes =
    [
        "/admin/", "/templates", "/work-orders", "/work-order-log", "/webhooks", "/webhook-deliveries", "/diagnostics",
        "/fleet",
    ];

    private static readonly string[] NonCoreSuffixes =
    [
        "/webhooks/pending", "/work-orders/pending", "/diagnostics/pending", "/diagnostics", "/fleet-status",
        "/from-template", "/stacks/{id}/events", "/stacks/{id}/logs",
    ];

    public static string SpecFile => Path.Combine(RepositoryRoot.Path, "docs", "reference", "brokkr-v1.openapi.json");

    /// <summary>
    /// The later-phase features the broker implements, by the contract's tag for them ("work-orders", "templates",
    /// "webhooks", ...): their operations join the core ones in the route, document, status and body checks.
    /// </summary>
    public static readonly string[] ImplementedFeatureTags = ["work-orders", "webhooks", "templates", "stacks", "fleet", "diagnostics", "Admin", "admin", "stack-telemetry"];

    /// <summary>"METHOD /path" under /api/v1, exactly as the contract spells the path: the core operations only.</summary>
    public static IReadOnlyList<string> CoreOperations { get; } = Load(includeFeatures: false);

    /// <summary>The core operations and those of every implemented feature.</summary>
    public static IReadOnlyList<string> Operations { get; } = Load(includeFeatures: true);

    /// <summary>The success (2xx) status codes the contract gives each core operation.</summary>
    public static IReadOnlyDictionary<string, string[]> SuccessCodes { get; } = LoadSuccessCodes();

    /// <summary>A path with its parameter names erased, so <c>/agents/{agent_id}</c> equals <c>/agents/{id}</c>.</summary>
    public static string Shape(string operation) =>
        System.Text.RegularExpressions.Regex.Replace(operation, "{[^}]+}", "{}");

    private static Dictionary<string, string[]> LoadSuccessCodes()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SpecFile));
        var paths = document.RootElement.GetProperty("paths");
        return Operations.ToDictionary(o => o, o =>
        {
            var (method, path) = (o.Split(' ')[0].ToLowerInvariant(), o.Split(' ')[1]);
            return paths.GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject()
                .Select(r => r.Name).Where(code => code.StartsWith('2')).ToArray();
        });
    }

    private static List<string> Load(bool includeFeatures)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SpecFile));
        var operations = new List<string>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            var core = !NonCorePrefixes.Any(path.Name.StartsWith) && !NonCoreSuffixes.Any(path.Name.EndsWith);
            foreach (var method in path.Value.EnumerateObject())
            {
                if (method.Name is "get" or "post" or "put" or "patch" or "delete" &&
                    (core || includeFeatures && IsImplementedFeature(method.Value)))
                {
                    operations.Add($"{method.Name.ToUpperInvariant()} {path.Name}");
                }
            }
        }
        return operations;
    }

    private static bool IsImplementedFeature(JsonElement operation) =>
        operation.TryGetProperty("tags", out var tags) &&
        // Case matters: the contract's "Admin" (audit log, configuration reload) and "admin" (the WebSocket channel's
        // connection list) are different features.
        tags.EnumerateArray().Any(tag => ImplementedFeatureTags.Contains(tag.GetString(), StringComparer.Ordinal));
}
