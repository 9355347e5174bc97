using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Faults;

namespace Brokkr.KubernetesStandIn.Api;

/// <summary>
/// Fault control over HTTP for out-of-process use: POST /_standin/faults
/// <c>{"mode":"error"|"hang","count":N,"status":500,"hang_ms":2000,"method":"PATCH","path_prefix":"/apis/apps",
/// "query_contains":"labelSelector="}</c> (query_contains for errors only),
/// DELETE /_standin/faults clears them; POST /_standin/jobs/{ns}/{name}/finish ends a Job (<see cref="Storage.JobController"/>);
/// POST /_standin/pods (a Pod), POST /_standin/events and PUT /_standin/logs/{ns}/{pod}/{container} (the log as text)
/// seed what kubelet and controllers would (<see cref="Storage.Workloads"/>).
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
        group.MapPost("/pods", (JsonObject pod, Storage.Workloads workloads) => Results.Json(workloads.AddPod(pod), statusCode: 201));
        // {"namespace", "kind", "name", "type", "reason", "message", "count"}: an event about that object.
        group.MapPost("/events", (JsonObject e, Storage.Workloads workloads) => Results.Json(workloads.AddEvent(
            e["namespace"]?.GetValue<string>() ?? "default", e["kind"]?.GetValue<string>() ?? "Pod", e["name"]!.GetValue<string>(),
            e["type"]?.GetValue<string>() ?? "Normal", e["reason"]?.GetValue<string>() ?? "", e["message"]?.GetValue<string>() ?? "",
            e["count"]?.GetValue<int>() ?? 1), statusCode: 201));
        group.MapPut("/logs/{ns}/{pod}/{container}", async (HttpContext context, string ns, string pod, string container, Storage.Workloads workloads) =>
        {
            workloads.SetLog(ns, pod, container, await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted));
            return Results.NoContent();
        });
        group.MapDelete("/faults", (FaultInjector faults) =>
        {
            faults.Clear();
            return Results.NoContent();
        });
        return routes;
    }
}
