using Brokkr.KubernetesStandIn.Discovery;
using Brokkr.KubernetesStandIn.Storage;

namespace Brokkr.KubernetesStandIn.Api;

/// <summary>
/// Object and collection paths (kubernetes-protocol.md §3.1), routed by plural and scope as discovery says;
/// anything else is the plain-text 404 of an unserved path.
/// </summary>
public static class ResourceApi
{
    public static IEndpointRouteBuilder MapResourceApi(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/api/{version}/{**rest}", ["GET", "PATCH", "DELETE"],
            (HttpContext context, string version, string rest) => HandleAsync(context, "", version, rest));
        routes.MapMethods("/apis/{group}/{version}/{**rest}", ["GET", "PATCH", "DELETE"],
            (HttpContext context, string group, string version, string rest) => HandleAsync(context, group, version, rest));
        return routes;
    }

    private static async Task<IResult> HandleAsync(HttpContext context, string group, string version, string rest)
    {
        var services = context.RequestServices;
        var catalog = services.GetRequiredService<DiscoveryCatalog>();
        if (Route(catalog, group, version, rest) is not var (resource, ns, name))
        {
            return StandInResponse.PageNotFound.ToResult();
        }

        var query = context.Request.Query;
        var operations = services.GetRequiredService<ResourceOperations>();
        var method = context.Request.Method;
        if (name is null)
        {
            return method == "GET"
                ? operations.List(resource, ns, query["labelSelector"], int.TryParse(query["limit"], out var limit) ? limit : null,
                    query["continue"]).ToResult()
                : StatusBodies.Failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource").ToResult();
        }

        if (method == "GET")
        {
            return operations.Get(resource, ns, name).ToResult();
        }

        var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
        if (method == "DELETE")
        {
            var policy = query["propagationPolicy"].ToString() is { Length: > 0 } fromQuery ? fromQuery : PolicyFromBody(body);
            return operations.Delete(resource, ns, name, policy).ToResult();
        }

        var contentType = context.Request.ContentType ?? "";
        if (!contentType.StartsWith("application/apply-patch+yaml", StringComparison.OrdinalIgnoreCase))
        {
            return StatusBodies.Failure(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml").ToResult();
        }

        var dryRun = query["dryRun"].ToString();
        if (dryRun.Length > 0 && dryRun != "All")
        {
            return StatusBodies.Invalid("PatchOptions", "meta.k8s.io", "",
                [("FieldValueNotSupported", $"Unsupported value: \"{dryRun}\": supported values: \"All\"", "dryRun")]).ToResult();
        }

        var apply = services.GetRequiredService<ServerSideApply>();
        return apply.Apply(resource, ns, name, body, query["fieldManager"], query["force"] == "true", dryRun == "All").ToResult();
    }

    /// <summary>Maps the path after /api/{v} or /apis/{g}/{v} to (resource, namespace, name?).</summary>
    private static (ServedResource Resource, string? Namespace, string? Name)? Route(DiscoveryCatalog catalog, string group,
        string version, string rest)
    {
        var parts = rest.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 3 or 4 && parts[0] == "namespaces")
        {
            var namespaced = catalog.Find(group, version, parts[2]);
            return namespaced is { Namespaced: true } ? (namespaced, parts[1], parts.Length == 4 ? parts[3] : null) : null;
        }

        if (parts.Length is 1 or 2 && catalog.Find(group, version, parts[0]) is { } resource)
        {
            // A namespaced type without a namespace is only a list across all namespaces.
            return parts.Length == 1 ? (resource, null, null) : resource.Namespaced ? null : (resource, null, parts[1]);
        }

        return null;
    }

    private static string? PolicyFromBody(string body)
    {
        try
        {
            return body.Length == 0 ? null : System.Text.Json.Nodes.JsonNode.Parse(body)?["propagationPolicy"]?.GetValue<string>();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
