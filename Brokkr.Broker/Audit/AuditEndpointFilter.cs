using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Nodes;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;

namespace Brokkr.Broker.Audit;

/// <summary>
/// Audits the API's writes in one place: a filter on the <c>/api/v1</c> group wraps each route
/// <see cref="AuditedRoutes"/> lists and, when the handler returns a 2xx result, queues its entries. A handler that
/// throws (a refusal, a conflict, a database failure) records nothing: only what happened is in the trail. Routes
/// not in the table get no filter at all.
/// </summary>
public static class AuditEndpointFilter
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> LocationProperties = new();

    public static RouteGroupBuilder WithAudit(this RouteGroupBuilder group)
    {
        ((IEndpointConventionBuilder)group).Add(builder =>
        {
            if (builder is not RouteEndpointBuilder endpoint)
            {
                return;
            }
            builder.FilterFactories.Add((context, next) =>
            {
                var methods = builder.Metadata.OfType<HttpMethodMetadata>().LastOrDefault()?.HttpMethods ?? [];
                var route = methods.Count == 1 ? AuditedRoutes.Find(methods[0], endpoint.RoutePattern.RawText) : null;
                if (route is null)
                {
                    return next;
                }
                var queue = context.ApplicationServices.GetRequiredService<AuditQueue>();
                return async invocation =>
                {
                    var result = await next(invocation);
                    Record(queue, route, invocation.HttpContext, result);
                    return result;
                };
            });
        });
        return group;
    }

    private static void Record(AuditQueue queue, AuditedRoute route, HttpContext http, object? result)
    {
        var outcome = Unwrap(result);
        if (outcome is not IStatusCodeHttpResult { StatusCode: >= 200 and < 300 })
        {
            return;
        }
        var values = http.Request.RouteValues;
        var resourceId = route.IdFrom is { } name ? GuidOf(values[name]?.ToString()) : FirstGuidIn(LocationOf(outcome));
        var details = new JsonObject();
        foreach (var (key, value) in values)
        {
            if (key != route.IdFrom && value is not null)
            {
                details[key == "id" ? RouteCollection(http) + "_id" : key] = value.ToString();
            }
        }
        if (route.Change is { } change)
        {
            details["change"] = change;
        }
        var caller = http.Features.Get<Caller>();
        foreach (var action in route.Actions)
        {
            var entryDetails = (JsonObject)details.DeepClone();
            if (route.PakOwner is { } owner && action.StartsWith("pak.", StringComparison.Ordinal))
            {
                entryDetails["owner_type"] = owner;
            }
            queue.Record(Outcome(action, outcome), AuditedRoutes.ResourceTypeOf(route, action), resourceId, caller, http,
                entryDetails.Count > 0 ? entryDetails : null);
        }
    }

    /// <summary>A work order's completion is audited as what it turned out to be.</summary>
    private static string Outcome(string action, IResult result) => action switch
    {
        "workorder.completed" when result is IValueHttpResult { Value: WorkOrderLog { Success: false } } => "workorder.failed",
        "workorder.completed" when result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status202Accepted } => "workorder.retry",
        _ => action,
    };

    private static IResult? Unwrap(object? result)
    {
        while (result is INestedHttpResult nested)
        {
            result = nested.Result;
        }
        return result as IResult;
    }

    private static string? LocationOf(IResult result) =>
        LocationProperties.GetOrAdd(result.GetType(), t => t.GetProperty("Location"))?.GetValue(result) as string;

    private static Guid? FirstGuidIn(string? location) =>
        location?.Split('/').Select(GuidOf).FirstOrDefault(g => g is not null);

    private static Guid? GuidOf(string? text) => Guid.TryParse(text, out var id) ? id : null;

    /// <summary>"generator" for /api/v1/generators/{id}/register: names the route's own id when it is not the resource's.</summary>
    private static string RouteCollection(HttpContext http)
    {
        var segments = http.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var collection = segments.Length > 2 ? segments[2] : "resource";
        return collection.EndsWith('s') ? collection[..^1] : collection;
    }
}
