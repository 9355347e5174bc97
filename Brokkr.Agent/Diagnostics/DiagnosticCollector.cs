using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Brokkr.Agent.Broker;
using Brokkr.Agent.Configuration;
using Brokkr.Agent.DeploymentHealth;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Reconcile;

namespace Brokkr.Agent.Diagnostics;

/// <summary>
/// Collects one diagnostic in the namespaces a deployment object declares: the statuses of the pods attributed to it
/// (by <see cref="PodAttribution"/>, as deployment health attributes them), the newest events of each namespace, and
/// the tail of each of those pods' containers' logs, bounded by lines and bytes per container and in all. A cluster
/// that refuses or cannot be reached yields upstream's error-bearing result, so the request still completes.
/// </summary>
public sealed class DiagnosticCollector(IKubernetesClient kubernetes, AgentSettings settings, TimeProvider time)
{
    public const int EventsPerNamespace = 50;

    /// <summary>Bounds all log tails of one result together, well inside the broker's body limit.</summary>
    public const int MaxLogBytesTotal = 2 * 1024 * 1024;

    public sealed record Collection(DiagnosticResultReport Report, bool Failed);

    public async Task<Collection> CollectAsync(Guid deploymentObjectId, string? yaml, CancellationToken cancellationToken)
    {
        try
        {
            var namespaces = Namespaces(yaml);
            var pods = await PodsAsync(deploymentObjectId, namespaces, cancellationToken);
            var events = await EventsAsync(namespaces, cancellationToken);
            var logs = await LogTailsAsync(pods, cancellationToken);
            return new Collection(new DiagnosticResultReport(
                new JsonArray(pods.Select(p => (JsonNode)DiagnosticSnapshots.PodStatus(p)).ToArray()).ToJsonString(),
                new JsonArray(events.Select(e => (JsonNode)DiagnosticSnapshots.Event(e)).ToArray()).ToJsonString(),
                logs.ToJsonString(), time.GetUtcNow()), Failed: false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever went wrong (a refusal, an unreadable manifest, an object of an unexpected shape) is reported
            // in the result: a request the agent claimed always gets an answer.
            var error = new JsonArray(new JsonObject { ["error"] = e.Message });
            return new Collection(new DiagnosticResultReport("[]", error.ToJsonString(), null, time.GetUtcNow()), Failed: true);
        }
    }

    /// <summary>The namespaces the object's manifests name (a Namespace names itself); the default one for the others.</summary>
    private List<string> Namespaces(string? yaml)
    {
        var fallback = settings.WatchNamespace ?? kubernetes.Connection.DefaultNamespace;
        if (yaml is null)
        {
            return [fallback];
        }
        var namespaces = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var obj in BundleParser.Parse(yaml))
        {
            var metadata = obj["metadata"];
            namespaces.Add(obj["kind"]?.GetValue<string>() == "Namespace" && metadata?["name"]?.GetValue<string>() is { } name
                ? name
                : metadata?["namespace"]?.GetValue<string>() ?? fallback);
        }
        if (settings.WatchNamespace is { } only)
        {
            namespaces.IntersectWith([only]);
        }
        return namespaces.Count == 0 ? [fallback] : [.. namespaces];
    }

    private async Task<List<JsonObject>> PodsAsync(Guid deploymentObjectId, List<string> namespaces, CancellationToken cancellationToken)
    {
        var podResource = await kubernetes.ResolveAsync("v1", "Pod", cancellationToken)
            ?? throw new KubernetesApiException(System.Net.HttpStatusCode.NotFound, null, "pods are not served");
        var attribution = new PodAttribution(kubernetes);
        var attributed = new List<JsonObject>();
        foreach (var ns in namespaces)
        {
            foreach (var pod in await kubernetes.ListAsync(podResource, ns, null, cancellationToken))
            {
                if (await attribution.DeploymentObjectOfAsync(pod, cancellationToken) == deploymentObjectId)
                {
                    attributed.Add(pod);
                }
            }
        }
        return attributed;
    }

    private async Task<List<JsonObject>> EventsAsync(List<string> namespaces, CancellationToken cancellationToken)
    {
        var eventResource = await kubernetes.ResolveAsync("v1", "Event", cancellationToken)
            ?? throw new KubernetesApiException(System.Net.HttpStatusCode.NotFound, null, "events are not served");
        var events = new List<JsonObject>();
        foreach (var ns in namespaces)
        {
            var listed = await kubernetes.ListAsync(eventResource, ns, null, cancellationToken);
            events.AddRange(listed.OrderByDescending(e => Parse(DiagnosticSnapshots.LastSeen(e))).Take(EventsPerNamespace));
        }
        return events;
    }

    /// <summary>"pod/container" → the tail; a container whose log cannot be read says why instead.</summary>
    private async Task<JsonObject> LogTailsAsync(List<JsonObject> pods, CancellationToken cancellationToken)
    {
        var tails = new JsonObject();
        var budget = MaxLogBytesTotal;
        foreach (var pod in pods)
        {
            var ns = pod["metadata"]?["namespace"]?.GetValue<string>();
            var name = pod["metadata"]?["name"]?.GetValue<string>();
            if (ns is null || name is null)
            {
                continue;
            }
            foreach (var container in (pod["spec"]?["containers"] as JsonArray ?? []).Select(c => c?["name"]?.GetValue<string>()).OfType<string>())
            {
                var limit = Math.Min(settings.DiagnosticsLogLimitBytes, budget);
                if (limit <= 0)
                {
                    tails[$"{name}/{container}"] = "[log not collected: the diagnostic's log budget is spent]";
                    continue;
                }
                try
                {
                    var tail = await kubernetes.GetPodLogAsync(ns, name, container, settings.DiagnosticsLogTailLines, limit, cancellationToken);
                    budget -= Encoding.UTF8.GetByteCount(tail);
                    tails[$"{name}/{container}"] = tail;
                }
                catch (KubernetesApiException e)
                {
                    tails[$"{name}/{container}"] = $"[log unavailable: {e.Message}]";
                }
            }
        }
        return tails;
    }

    private static DateTimeOffset Parse(string? timestamp) =>
        DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : DateTimeOffset.MinValue;
}
