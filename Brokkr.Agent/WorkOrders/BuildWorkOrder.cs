using System.Text.Json.Nodes;
using Brokkr.Agent.Broker;
using Brokkr.Agent.Kubernetes;

namespace Brokkr.Agent.WorkOrders;

/// <summary>
/// A <c>build</c> work order: its one Shipwright Build (shipwright.io/v1beta1) is server-side applied, then a BuildRun
/// of it is applied and watched to its terminal <c>Succeeded</c> condition — True succeeds (with the image digest when
/// Shipwright reports one), False fails with the condition's reason and message — within the same window as Jobs.
/// The BuildRun's name is derived from the order, so a retried order watches its run again instead of starting more.
/// </summary>
public sealed class BuildWorkOrder(IKubernetesClient kubernetes, JobWatcher watcher, string? watchNamespace) : IWorkOrderType
{
    public const string WorkType = "build";
    public const string ApiVersion = "shipwright.io/v1beta1";
    public const string WorkOrderLabel = "brokkr.io/work-order-id";

    public static readonly JobWatcher.WatchedKind BuildRuns = new("BuildRun", Terminal, DetailOnSuccess: true);

    public async Task<WorkOrderOutcome> RunAsync(WorkOrderRecord order, CancellationToken cancellationToken)
    {
        var (objects, invalid) = WorkOrderApply.Parse(order.YamlContent);
        if (invalid is not null)
        {
            return invalid;
        }
        var builds = objects.Where(o => o["apiVersion"]?.GetValue<string>() == ApiVersion && o["kind"]?.GetValue<string>() == "Build").ToList();
        if (builds.Count != 1)
        {
            return WorkOrderOutcome.Permanent($"a build work order holds exactly one {ApiVersion} Build; this one holds {builds.Count}");
        }

        var apply = new WorkOrderApply(kubernetes, watchNamespace);
        var build = await apply.ApplyAsync(builds[0], cancellationToken);
        if (build.Failure is not null)
        {
            return build.Failure;
        }
        var buildName = build.Object!.Name;
        var run = await apply.ApplyAsync(new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = "BuildRun",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{buildName}-{order.Id.ToString("N")[..8]}",
                ["namespace"] = build.Object.Namespace,
                ["labels"] = new JsonObject { [WorkOrderLabel] = order.Id.ToString(), ["shipwright.io/build"] = buildName },
            },
            ["spec"] = new JsonObject { ["build"] = new JsonObject { ["name"] = buildName } },
        }, cancellationToken);
        if (run.Failure is not null)
        {
            return run.Failure;
        }
        return await watcher.WatchAsync(BuildRuns, [run.Object!], WatchWindow.For(order.ClaimTimeoutSeconds), "", cancellationToken);
    }

    /// <summary>The BuildRun's outcome from its <c>Succeeded</c> condition; null while it is Unknown or absent.</summary>
    public static (bool Succeeded, string Detail)? Terminal(JsonObject buildRun)
    {
        var condition = (buildRun["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(c => c["type"]?.GetValue<string>() == "Succeeded");
        switch (condition?["status"]?.GetValue<string>())
        {
            case "True":
                return (true, buildRun["status"]?["output"]?["digest"]?.GetValue<string>() ?? "");
            case "False":
                var reason = condition["reason"]?.GetValue<string>();
                var message = condition["message"]?.GetValue<string>();
                return (false, string.Join(": ", new[] { reason, message }.Where(s => !string.IsNullOrEmpty(s))));
            default:
                return null;
        }
    }
}
