using Microsoft.AspNetCore.Http.Features;

namespace Brokkr.Broker.Http;

/// <summary>
/// The label or annotation key that ends a DELETE path (<c>.../labels/{label}</c>, <c>.../annotations/{key}</c>),
/// for agents and stacks alike. Tags such as <c>app.kubernetes.io/name</c> are sent as <c>app.kubernetes.io%2Fname</c>,
/// but ASP.NET Core decodes every escape in route values except <c>%2F</c> (a decoded slash would change the path's
/// segments), so the route value never equals the stored tag. Decoding the route value a second time would also turn
/// a literal <c>%2F</c> (sent as <c>%252F</c>) into a slash; the last segment of the raw request target is therefore
/// decoded exactly once instead.
/// </summary>
public static class TagPathSegment
{
    /// <param name="routeValue">The route value, used only when the server does not expose the raw target.</param>
    public static string Read(HttpRequest request, string routeValue)
    {
        var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        }
        var path = raw.Split('?', 2)[0].TrimEnd('/');
        return Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
    }
}
