using Brokkr.Agent.Broker;
using Brokkr.Agent.Metrics;
using Brokkr.Agent.Runtime;

namespace Brokkr.Agent.Diagnostics;

/// <summary>
/// The agent's side of diagnostics, driven by the control loop once per tick while the agent is ACTIVE: when no
/// collection is running, list the requests pending for this agent, claim them one after another and collect and
/// submit each in the background — listing many pods' logs takes a while, and heartbeats must go on meanwhile.
/// </summary>
public sealed class DiagnosticRunner(BrokerClient broker, Func<DiagnosticCollector> collector, DiagnosticMetrics metrics,
    ILogger<DiagnosticRunner> log)
{
    private readonly BackgroundWork _work = new(log, "diagnostics");

    /// <summary>The collection under way, if any (tests wait on it).</summary>
    public Task Running => _work.Running;

    public async Task PollAsync(AgentRecord self, CancellationToken cancellationToken)
    {
        var pending = await _work.ListPendingAsync(() => broker.GetPendingDiagnosticsAsync(self.Id, cancellationToken));
        if (pending is { Count: > 0 })
        {
            _work.Start(() => RunAllAsync(self, pending, cancellationToken));
        }
    }

    private async Task RunAllAsync(AgentRecord self, List<DiagnosticRequestRecord> pending, CancellationToken cancellationToken)
    {
        foreach (var candidate in pending)
        {
            try
            {
                if (await broker.ClaimDiagnosticAsync(candidate.Id, cancellationToken) is not { } claimed)
                {
                    continue; // expired or gone since it was listed
                }
                await RunAsync(self, claimed, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return; // a claimed request is left to the broker's sweep, which marks it failed
            }
            catch (Exception e) when (e is BrokerUnreachableException or BrokerApiException)
            {
                log.LogWarning("Claiming diagnostic {DiagnosticId} failed: {Error}", candidate.Id, e.Message);
                return;
            }
        }
    }

    private async Task RunAsync(AgentRecord self, DiagnosticRequestRecord request, CancellationToken cancellationToken)
    {
        log.LogInformation("Claimed diagnostic {DiagnosticId} for deployment object {DeploymentObjectId}",
            request.Id, request.DeploymentObjectId);
        var yaml = await YamlOfAsync(self, request.DeploymentObjectId, cancellationToken);
        var collection = await collector().CollectAsync(request.DeploymentObjectId, yaml, cancellationToken);
        try
        {
            await broker.SubmitDiagnosticResultAsync(request.Id, collection.Report, cancellationToken);
            metrics.Handled(collection.Failed ? DiagnosticMetrics.CollectionError : DiagnosticMetrics.Submitted);
            log.LogInformation("Submitted diagnostic {DiagnosticId}{Error}", request.Id, collection.Failed ? " (collection failed)" : "");
        }
        catch (Exception e) when (e is BrokerUnreachableException or BrokerApiException)
        {
            metrics.Handled(DiagnosticMetrics.NotSubmitted);
            log.LogWarning("Could not submit diagnostic {DiagnosticId}; the broker will mark it failed: {Error}", request.Id, e.Message);
        }
    }

    /// <summary>
    /// The object's manifests, for the namespaces they name: from the target state when it is a stack's current
    /// object, else by id (allowed for explicit targets); null when neither says, and the default namespace is searched.
    /// </summary>
    private async Task<string?> YamlOfAsync(AgentRecord self, Guid deploymentObjectId, CancellationToken cancellationToken)
    {
        try
        {
            if ((await broker.GetTargetStateAsync(self.Id, full: true, cancellationToken)).FirstOrDefault(o => o.Id == deploymentObjectId)
                is { } current)
            {
                return current.YamlContent;
            }
            return (await broker.GetDeploymentObjectAsync(deploymentObjectId, cancellationToken)).YamlContent;
        }
        catch (Exception e) when (e is BrokerUnreachableException or BrokerApiException)
        {
            log.LogWarning("Could not read deployment object {DeploymentObjectId} for its namespaces: {Error}", deploymentObjectId, e.Message);
            return null;
        }
    }
}
