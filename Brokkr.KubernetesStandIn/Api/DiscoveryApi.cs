using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Discovery;

namespace Brokkr.KubernetesStandIn.Api;

/// <summary>/version and legacy discovery (the stand-in deliberately answers aggregated requests in legacy form).</summary>
public static class DiscoveryApi
{
    public static IEndpointRouteBuilder MapDiscoveryApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/version", () => new StandInResponse(200, new JsonObject
        {
            ["major"] = "1", ["minor"] = "36", ["gitVersion"] = "v1.36.0-brokkr-standin",
            ["gitCommit"] = "0000000000000000000000000000000000000000", ["gitTreeState"] = "clean",
            ["buildDate"] = "2026-01-01T00:00:00Z", ["goVersion"] = "go1.25", ["compiler"] = "gc",
            ["platform"] = "linux/amd64",
        }).ToResult());
        routes.MapGet("/api", (DiscoveryCatalog catalog) => new StandInResponse(200, catalog.ApiVersions()).ToResult());
        routes.MapGet("/api/{version}", (string version, DiscoveryCatalog catalog) => Answer(catalog.ResourceList("", version)));
        routes.MapGet("/apis", (DiscoveryCatalog catalog) => new StandInResponse(200, catalog.GroupList()).ToResult());
        routes.MapGet("/apis/{group}", (string group, DiscoveryCatalog catalog) =>
        {
            var entry = catalog.GroupList()["groups"]!.AsArray().FirstOrDefault(g => g?["name"]?.GetValue<string>() == group);
            if (entry is null)
            {
                return StandInResponse.PageNotFound.ToResult();
            }

            var body = (JsonObject)entry.DeepClone();
            body.Insert(0, "kind", "APIGroup");
            body.Insert(1, "apiVersion", "v1");
            return new StandInResponse(200, body).ToResult();
        });
        routes.MapGet("/apis/{group}/{version}", (string group, string version, DiscoveryCatalog catalog) =>
            Answer(catalog.ResourceList(group, version)));
        return routes;
    }

    private static IResult Answer(JsonObject? document) =>
        (document is null ? StandInResponse.PageNotFound : new StandInResponse(200, document)).ToResult();
}
