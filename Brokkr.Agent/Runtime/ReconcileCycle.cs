using System.Diagnostics;
using Brokkr.Agent.Broker;
using Brokkr.Agent.Channel;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Metrics;
using Brokkr.Agent.Reconcile;

namespace Brokkr.Agent.Runtime;

/// <summary>
/// One reconcile (brokkr-core.md §7.4): poll the incremental target state, let <see cref="DepartedStackCleanup"/>
/// remove stacks that left the agent's desired set, then reconcile each new object and report a DEPLOY event for it.
/// A bad object becomes a FAILURE event and the cycle moves on to the next one; objects that failed before are tried
/// again when their backoff is due (<see cref="FailedDeployments"/>). Events go over the channel when it is up; an object
/// whose SUCCESS frame the broker may not have stored yet is not applied again (<see cref="UnconfirmedAcknowledgements"/>).
/// </summary>
public sealed class ReconcileCycle(BrokerClient broker, BrokerUplink uplink, Lazy<StackReconciler> reconciler, DepartedStackCleanup cleanup,
    AgentMetrics metrics, TimeProvider time, ILogger<ReconcileCycle> log)
{
    private readonly FailedDeployments _failed = new();
    private readonly UnconfirmedAcknowledgements _unconfirmed = new();
    private bool _recovered;

    /// <summary>Longest event message sent; Status messages listing many causes can be long.</summary>
    public const int MaxEventMessageLength = 4000;

    /// <summary>Runs one cycle; false when the broker could not be reached.</summary>
    public async Task<bool> RunAsync(AgentRecord self, CancellationToken cancellationToken)
    {
        if (await PollAsync(self, cancellationToken) is not { } pending)
        {
            return false;
        }

        if (!await cleanup.RunAsync(self, cancellationToken))
        {
            return false;
        }

        await RecoverFailuresAsync(self, cancellationToken);
        var now = time.GetUtcNow();
        _unconfirmed.Expire(now);
        foreach (var deploymentObject in pending)
        {
            if (_unconfirmed.Awaiting(deploymentObject.Id, now))
            {
                log.LogDebug("Deployment object {DeploymentObjectId}: its SUCCESS frame is on its way to the broker; not applying it again",
                    deploymentObject.Id);
                continue;
            }
            await ApplyAsync(self, deploymentObject, cancellationToken);
        }

        await RetryDueAsync(self, pending.Select(o => o.Id).ToHashSet(), cancellationToken);
        return true;
    }

    /// <summary>Tries again the failed objects whose backoff is due and that are still what the broker wants.</summary>
    private async Task RetryDueAsync(AgentRecord self, IReadOnlySet<Guid> appliedThisCycle, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_failed.AnyDue(now))
        {
            return;
        }
        HashSet<Guid> desired;
        try
        {
            desired = (await broker.GetTargetStateAsync(self.Id, full: true, cancellationToken)).Select(o => o.Id).ToHashSet();
        }
        catch (Exception e) when (e is BrokerUnreachableException or BrokerApiException)
        {
            log.LogWarning("Full target-state fetch for retries failed, retrying next cycle: {Error}", e.Message);
            return;
        }
        foreach (var deploymentObject in _failed.Due(now, desired, appliedThisCycle))
        {
            log.LogInformation("Retrying deployment object {DeploymentObjectId} of stack {StackId}", deploymentObject.Id, deploymentObject.StackId);
            await ApplyAsync(self, deploymentObject, cancellationToken);
        }
    }

    /// <summary>
    /// Once per process: objects whose latest event from this agent is a FAILURE are retried too, so a restart does
    /// not forget them. Best effort; without the broker it is tried again next cycle.
    /// </summary>
    private async Task RecoverFailuresAsync(AgentRecord self, CancellationToken cancellationToken)
    {
        if (_recovered)
        {
            return;
        }
        try
        {
            var latest = (await broker.GetEventsAsync(self.Id, cancellationToken))
                .Where(e => e.EventType == AgentEventReport.Deploy)
                .GroupBy(e => e.DeploymentObjectId)
                .ToDictionary(g => g.Key, g => g.MaxBy(e => e.CreatedAt)!);
            var now = time.GetUtcNow();
            foreach (var deploymentObject in await broker.GetTargetStateAsync(self.Id, full: true, cancellationToken))
            {
                if (latest.TryGetValue(deploymentObject.Id, out var last) && last.Status == AgentEventReport.Failure)
                {
                    _failed.Recover(deploymentObject, last.Message ?? "", now);
                }
            }
            _recovered = true;
        }
        catch (Exception e) when (e is BrokerUnreachableException or BrokerApiException)
        {
            log.LogWarning("Could not look up earlier failures to retry them, trying again next cycle: {Error}", e.Message);
        }
    }

    /// <summary>The objects not yet acknowledged; null when the broker is unreachable; empty when it refused.</summary>
    private async Task<List<DeploymentObjectRecord>?> PollAsync(AgentRecord self, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var pending = await broker.GetTargetStateAsync(self.Id, full: false, cancellationToken);
            metrics.OnPoll(pending.Count, Stopwatch.GetElapsedTime(started), time.GetUtcNow());
            return pending;
        }
        catch (Exception e) when (e is BrokerUnreachableException or BrokerApiException)
        {
            metrics.OnPoll(null, Stopwatch.GetElapsedTime(started), time.GetUtcNow());
            log.LogWarning("Target-state poll failed: {Error}", e.Message);
            return e is BrokerUnreachableException ? null : [];
        }
    }

    private async Task ApplyAsync(AgentRecord self, DeploymentObjectRecord deploymentObject, CancellationToken cancellationToken)
    {
        var (failure, retryable) = await ReconcileAsync(self, deploymentObject, cancellationToken);
        if (failure is not null && failure.Length > MaxEventMessageLength)
        {
            failure = failure[..MaxEventMessageLength] + "…";
        }
        if (failure is null)
        {
            _failed.Succeeded(deploymentObject.Id);
        }
        else if (!retryable)
        {
            _failed.GiveUp(deploymentObject.Id);
        }
        else if (!_failed.Failed(deploymentObject, failure, time.GetUtcNow()))
        {
            return; // the same failure as last time: already reported
        }

        try
        {
            var overChannel = await uplink.ReportEventAsync(new AgentEventReport(self.Id, deploymentObject.Id, AgentEventReport.Deploy,
                failure is null ? AgentEventReport.Success : AgentEventReport.Failure, failure), cancellationToken);
            if (failure is not null)
            {
                _failed.Reported(deploymentObject.Id, failure);
            }
            else if (overChannel)
            {
                _unconfirmed.Sent(deploymentObject.Id, time.GetUtcNow());
            }
        }
        catch (Exception e) when (e is BrokerUnreachableException or BrokerApiException)
        {
            // Without the event the object stays in the incremental list and is re-applied (idempotently) next cycle.
            log.LogWarning("Could not report the result for deployment object {DeploymentObjectId}: {Error}",
                deploymentObject.Id, e.Message);
        }
    }

    /// <summary>
    /// Applies one object: null on success, else the failure message for the FAILURE event and whether trying again
    /// could help (a bundle that does not parse never will).
    /// </summary>
    private async Task<(string? Failure, bool Retryable)> ReconcileAsync(AgentRecord self, DeploymentObjectRecord deploymentObject,
        CancellationToken cancellationToken)
    {
        var stackId = deploymentObject.StackId;
        try
        {
            // A deletion marker means "nothing should be deployed", whatever its content says.
            var objects = deploymentObject.IsDeletionMarker ? [] : BundleParser.Parse(deploymentObject.YamlContent);
            if (!deploymentObject.IsDeletionMarker)
            {
                // Remembered before applying: a half-applied bundle must still be cleaned up if the stack departs.
                cleanup.Applied.Remember(stackId);
            }

            var summary = await reconciler.Value.ReconcileAsync(objects,
                new StackStamp(stackId, deploymentObject.YamlChecksum, deploymentObject.Id, self.Id), cancellationToken);
            if (deploymentObject.IsDeletionMarker)
            {
                cleanup.Applied.Forget(stackId);
            }
            else
            {
                cleanup.Applied.Remember(stackId, deploymentObject.Id);
            }

            log.LogInformation(
                "Deployment object {DeploymentObjectId} of stack {StackId}: {Applied} applied, {Unchanged} unchanged, {Pruned} pruned",
                deploymentObject.Id, stackId, summary.Applied, summary.Unchanged, summary.Pruned);
            return (null, false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            var message = e switch
            {
                BundleParseException => $"invalid bundle: {e.Message}",
                ReconcileException or KubernetesApiException => e.Message,
                _ => $"unexpected {e.GetType().Name}: {e.Message}",
            };
            if (e is not (BundleParseException or ReconcileException or KubernetesApiException))
            {
                log.LogError(e, "Unexpected error reconciling deployment object {DeploymentObjectId}", deploymentObject.Id);
            }

            log.LogWarning("Deployment object {DeploymentObjectId} of stack {StackId} failed: {Error}",
                deploymentObject.Id, stackId, message);
            return (message, e is not BundleParseException);
        }
    }
}
