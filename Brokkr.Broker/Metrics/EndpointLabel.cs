using System.Collections.Concurrent;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// The <c>endpoint</c> and <c>method</c> label values. Both come from bounded sets — the route table and the standard
/// methods — never from the raw request, so scanners and odd clients cannot add series.
/// </summary>
public static class EndpointLabel
{
    public const string Unmatched = "unmatched";
    public const string OtherMethod = "_OTHER";

    private static readonly ConcurrentDictionary<Endpoint, string> Labels = new();

    private static readonly HashSet<string> KnownMethods = new(StringComparer.OrdinalIgnoreCase)
    {
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT",
    };

    /// <summary>The matched route in Brokkr's form (<c>/api/v1/stacks/:id/labels</c>), or <c>unmatched</c>.</summary>
    public static string Of(Endpoint? endpoint) => endpoint is RouteEndpoint route
        ? Labels.GetOrAdd(route, static e => Normalize(((RouteEndpoint)e).RoutePattern))
        // No endpoint, or routing's own 405/ambiguity rejection endpoints: not a route of ours.
        : Unmatched;

    /// <summary>Every segment holding a parameter becomes <c>:id</c>; literal segments stay as written.</summary>
    public static string Normalize(RoutePattern pattern)
    {
        var segments = pattern.PathSegments.Select(segment =>
            segment.Parts is [RoutePatternLiteralPart literal] ? literal.Content : ":id");
        return "/" + string.Join('/', segments);
    }

    public static string Method(string method) =>
        KnownMethods.TryGetValue(method, out var known) ? known : OtherMethod;
}
