using System.Diagnostics;
using Brokkr.Agent.Broker;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Metrics;
using Brokkr.Agent.Reconcile;

namespace Brokkr.Agent.Runtime;

/// <summary>
/// One reconcile (brokkr-core.md §7.4): poll the incremental target state, let <see cref="DepartedStackCleanup"/>
/// remove stacks that left the agent's desired set, then reconcile each new object and report a DEPLOY event for it. A bad object becomes a FAILURE
/// event and the cycle moves on to the next one.
/// </summary>
public sealed class ReconcileCycle(BrokerClient broker, Lazy<StackReconciler> reconciler, DepartedStackCleanup cleanup,
    AgentMetrics metrics, TimeProvider time, ILogger<ReconcileCycle> log)
{
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

        foreach (var deploymentObject in pending)
        {
            await ApplyAsync(self, deploymentObject, cancellationToken);
        }

        return true;
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
        var failure = await ReconcileAsync(self, deploymentObject, cancellationToken);
        if (failure is not null && failure.Length > MaxEventMessageLength)
        {
            failure = failure[..MaxEventMessageLength] + "…";
        }

        try
        {
            await broker.ReportEventAsync(new AgentEventReport(self.Id, deploymentObject.Id, AgentEventReport.Deploy,
                failure is null ? AgentEventReport.Success : AgentEventReport.Failure, failure), cancellationToken);
        }
        catch (Exception e) when (e is BrokerUnreachableException or BrokerApiException)
        {
            // Without the event the object stays in the incremental list and is re-applied (idempotently) next cycle.
            log.LogWarning("Could not report the result for deployment object {DeploymentObjectId}: {Error}",
                deploymentObject.Id, e.Message);
        }
    }

    /// <summary>Applies one object; the failure message for the FAILURE event, or null on success.</summary>
    private async Task<string?> ReconcileAsync(AgentRecord self, DeploymentObjectRecord deploymentObject,
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

            log.LogInformation(
                "Deployment object {DeploymentObjectId} of stack {StackId}: {Applied} applied, {Unchanged} unchanged, {Pruned} pruned",
                deploymentObject.Id, stackId, summary.Applied, summary.Unchanged, summary.Pruned);
            return null;
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
            return message;
        }
    }
}
