using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Faults;

namespace Brokkr.KubernetesStandIn.Api;

/// <summary>
/// Fault control over HTTP for out-of-process use: POST /_standin/faults
/// <c>{"mode":"error"|"hang","count":N,"status":500,"hang_ms":2000,"method":"PATCH","path_prefix":"/apis/apps",
/// "query_contains":"labelSelector="}</c> (query_contains for errors only),
/// DELETE /_standin/faults clears them; POST /_standin/jobs/{ns}/{name}/finish ends a Job (<see cref="Storage.JobController"/>).
/// </summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(FaultMiddleware.AdminPrefix);
        group.MapPost("/faults", (JsonObject request, FaultInjector faults) =>
        {
            var count = request["count"]?.GetValue<int>() ?? 1;
            var method = request["method"]?.GetValue<string>();
            var prefix = request["path_prefix"]?.GetValue<string>();
            if (request["mode"]?.GetValue<string>() == "hang")
            {
                faults.HangNext(count, TimeSpan.FromMilliseconds(request["hang_ms"]?.GetValue<int>() ?? 30_000), method, prefix);
            }
            else
            {
                faults.FailNext(count, request["status"]?.GetValue<int>() ?? 500, method, prefix,
                    request["query_contains"]?.GetValue<string>());
            }

            return Results.NoContent();
        });
        // Ends a Job as its controller would: {"succeeded": true|false, "reason": ..., "message": ...}.
        group.MapPost("/jobs/{ns}/{name}/finish", (string ns, string name, JsonObject request, Storage.ClusterLifecycle cluster) =>
            cluster.Jobs.Finish(ns, name, request["succeeded"]?.GetValue<bool>() ?? true,
                request["reason"]?.GetValue<string>(), request["message"]?.GetValue<string>())
                ? Results.NoContent()
                : Results.NotFound());
        group.MapDelete("/faults", (FaultInjector faults) =>
        {
            faults.Clear();
            return Results.NoContent();
        });
        return routes;
    }
}
