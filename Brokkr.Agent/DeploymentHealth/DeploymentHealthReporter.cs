using System.Text.Json.Nodes;
using Brokkr.Agent.Broker;
using Brokkr.Agent.Channel;
using Brokkr.Agent.Configuration;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Runtime;

namespace Brokkr.Agent.DeploymentHealth;

/// <summary>
/// brokkr-core.md §7.7: every deployment-health interval, judge the pods of the current deployment object of each
/// applied stack and send the verdicts in one PATCH (several past 1,000 objects). A failed pod listing reports every tracked object as unknown.
/// </summary>
public sealed class DeploymentHealthReporter(BrokerUplink broker, Lazy<IKubernetesClient> kubernetes,
    DepartedStackCleanup cleanup, AgentSettings settings, TimeProvider time, ILogger<DeploymentHealthReporter> log)
{
    /// <summary>The broker's bound on one report's entries (its <c>DeploymentHealthReports.MaxEntriesPerReport</c>).</summary>
    public const int MaxEntriesPerReport = 1_000;

    private DateTimeOffset? _lastRun;

    /// <summary>Reports when enabled and the interval has passed since the last report (the first tick always does).</summary>
    public async Task RunIfDueAsync(AgentRecord self, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!settings.DeploymentHealthEnabled || (_lastRun is { } last && now - last < settings.DeploymentHealthInterval))
        {
            return;
        }

        _lastRun = now;
        var tracked = cleanup.Applied.CurrentDeploymentObjects();
        if (tracked.Count == 0)
        {
            return;
        }

        var verdicts = await JudgeAsync(tracked, cancellationToken);
        try
        {
            // The broker takes at most MaxEntriesPerReport entries per report.
            foreach (var batch in verdicts.Chunk(MaxEntriesPerReport))
            {
                await broker.ReportHealthAsync(self.Id, batch.Select(v => new DeploymentObjectHealthReport(
                    v.Key, v.Value.Status, v.Value.Summary, now)).ToList(), cancellationToken);
            }
        }
        catch (Exception e) when (e is BrokerApiException or BrokerUnreachableException)
        {
            log.LogWarning("Could not report deployment health: {Error}", e.Message);
        }
    }

    private async Task<Dictionary<Guid, HealthVerdict>> JudgeAsync(IReadOnlySet<Guid> tracked, CancellationToken cancellationToken)
    {
        var podsByObject = tracked.ToDictionary(id => id, _ => new List<JsonObject>());
        try
        {
            var client = kubernetes.Value;
            var podResource = await client.ResolveAsync("v1", "Pod", cancellationToken)
                ?? throw new KubernetesApiException(System.Net.HttpStatusCode.NotFound, null, "pods are not served");
            var attribution = new PodAttribution(client);
            foreach (var pod in await client.ListAsync(podResource, settings.WatchNamespace, null, cancellationToken))
            {
                if (await attribution.DeploymentObjectOfAsync(pod, cancellationToken) is { } id && podsByObject.TryGetValue(id, out var pods))
                {
                    pods.Add(pod);
                }
            }
        }
        catch (KubernetesApiException e)
        {
            log.LogWarning("Could not list pods for deployment health: {Error}", e.Message);
            return tracked.ToDictionary(id => id, _ => new HealthVerdict(PodHealth.Unknown, HealthSummary.Empty));
        }

        return podsByObject.ToDictionary(p => p.Key, p => PodHealth.Evaluate(p.Value));
    }
}
