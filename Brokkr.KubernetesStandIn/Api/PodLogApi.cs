using System.Text.Json.Nodes;
using Brokkr.KubernetesStandIn.Discovery;
using Brokkr.KubernetesStandIn.Storage;

namespace Brokkr.KubernetesStandIn.Api;

/// <summary>
/// <c>GET /api/v1/namespaces/{ns}/pods/{name}/log</c> (the <c>pods/log</c> subresource): plain text, with the API
/// server's refusals — the pod's 404 Status, 400 when the container is missing or not the pod's, 422 for
/// out-of-range <c>tailLines</c>/<c>limitBytes</c>.
/// </summary>
public static class PodLogApi
{
    public static IEndpointRouteBuilder MapPodLogApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/namespaces/{ns}/pods/{name}/log", (HttpContext context, string ns, string name) =>
        {
            var services = context.RequestServices;
            var pods = services.GetRequiredService<DiscoveryCatalog>().Find("", "v1", "pods")!;
            if (services.GetRequiredService<ObjectStore>().Get(pods, ns, name) is not { } pod)
            {
                return StatusBodies.NotFound(pods, name).ToResult();
            }
            var query = context.Request.Query;
            if (!TryLong(query["tailLines"], out var tailLines) || !TryLong(query["limitBytes"], out var limitBytes))
            {
                return StatusBodies.BadRequest("tailLines and limitBytes must be integers").ToResult();
            }
            var invalid = new List<(string, string, string)>();
            if (tailLines < 0)
            {
                invalid.Add(("FieldValueInvalid", $"Invalid value: {tailLines}: must be greater than or equal to 0", "tailLines"));
            }
            if (limitBytes < 1)
            {
                invalid.Add(("FieldValueInvalid", $"Invalid value: {limitBytes}: must be greater than 0", "limitBytes"));
            }
            if (invalid.Count > 0)
            {
                return StatusBodies.Invalid("PodLogOptions", "", "", invalid).ToResult();
            }

            var containers = (pod["spec"]?["containers"] as JsonArray ?? []).Concat(pod["spec"]?["initContainers"] as JsonArray ?? [])
                .Select(c => c?["name"]?.GetValue<string>()).OfType<string>().ToList();
            var container = query["container"].ToString();
            if (container.Length == 0)
            {
                if (containers.Count != 1)
                {
                    return StatusBodies.BadRequest(
                        $"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", containers)}]").ToResult();
                }
                container = containers[0];
            }
            else if (!containers.Contains(container))
            {
                return StatusBodies.BadRequest($"container {container} is not valid for pod {name}").ToResult();
            }

            var text = services.GetRequiredService<Workloads>().Logs.Read(ns, name, container, tailLines, limitBytes);
            return Results.Text(text, "text/plain");
        });
        return routes;
    }

    private static bool TryLong(string? value, out long? parsed)
    {
        parsed = null;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }
        if (long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            parsed = number;
            return true;
        }
        return false;
    }
}
