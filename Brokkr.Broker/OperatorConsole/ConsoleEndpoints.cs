using System.Collections.Frozen;
using System.Net;
using System.Reflection;
using System.Text;

namespace Brokkr.Broker.OperatorConsole;

/// <summary>
/// Serves the operator console: its static files under <c>/console/</c> and its page at <c>/</c> and at every other
/// path the API, the probes and the scrape endpoint do not own, so any console address can be bookmarked. Paths under
/// <c>/api</c> and <c>/internal</c> never fall back: an unknown API route stays a plain 404.
/// </summary>
public static class ConsoleEndpoints
{
    public const string AssetPrefix = "/console/";
    private const string CredentialPlaceholder = "__BROKKR_CONSOLE_CREDENTIAL__";
    private const string ResourcePrefix = "Brokkr.Console/";

    // Inline scripts and styles are refused: the page's only script is ours, and nothing it renders can run code.
    private const string ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    private static readonly Lazy<FrozenDictionary<string, byte[]>> Assets = new(LoadAssets);

    public static WebApplication MapConsole(this WebApplication app)
    {
        app.MapMethods(AssetPrefix + "{name}", [HttpMethods.Get, HttpMethods.Head], Asset).ExcludeFromDescription();
        // A route constraint rather than a check in the handler: a reserved path has no endpoint at all, so the API's
        // 404 and the metrics' "unmatched" label stay what they were.
        app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], Page).ExcludeFromDescription();
        // The constraint refuses an empty value, hence "/" above.
        app.MapFallback("{*path:regex(^(?!(api|internal|healthz|readyz|alive|health|metrics|openapi|console)(/|$)))}", Page)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]))
            .ExcludeFromDescription();
        return app;
    }

    private static IResult Asset(string name, HttpContext context)
    {
        if (name == "index.html" || !Assets.Value.TryGetValue(name, out var bytes))
        {
            return Results.NotFound();
        }
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        return Results.Bytes(bytes, ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream"));
    }

    private static IResult Page(HttpContext context, ConsoleCredential credential)
    {
        var headers = context.Response.Headers;
        // The page carries a credential: no cache may keep it, no other site may frame it, no link may leak its URL.
        headers.CacheControl = "no-store";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers["X-Content-Type-Options"] = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        var html = Encoding.UTF8.GetString(Assets.Value["index.html"])
            .Replace(CredentialPlaceholder, WebUtility.HtmlEncode(credential.Plaintext), StringComparison.Ordinal);
        return Results.Text(html, ContentTypes[".html"]);
    }

    private static FrozenDictionary<string, byte[]> LoadAssets()
    {
        var assembly = typeof(ConsoleEndpoints).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .ToFrozenDictionary(n => n[ResourcePrefix.Length..], n => Read(assembly, n));
    }

    private static byte[] Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
