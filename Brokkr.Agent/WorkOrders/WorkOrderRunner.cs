using System.Diagnostics;
using Brokkr.Agent.Broker;
using Brokkr.Agent.Metrics;
using Brokkr.Agent.Runtime;

namespace Brokkr.Agent.WorkOrders;

/// <summary>
/// The agent's side of work orders, driven by the control loop once per tick while the agent is ACTIVE: when no order
/// is running, list the pending orders, claim the first one of a work type it runs (<c>custom</c>, <c>build</c>) that
/// this agent wins, and run it in the background — a Job may take most of an hour, and heartbeats and reconciles must
/// go on meanwhile. One order at a time. Orders of other work types are left for an agent that runs them.
/// </summary>
public sealed class WorkOrderRunner(BrokerClient broker, IReadOnlyDictionary<string, Func<IWorkOrderType>> types,
    WorkOrderMetrics metrics, TimeProvider time, ILogger<WorkOrderRunner> log)
{
    private static readonly TimeSpan ReportRetryDelay = TimeSpan.FromSeconds(2);
    private const int ReportAttempts = 5;
    public const int MaxMessageLength = 4000;

    private readonly BackgroundWork _work = new(log, "work orders");

    /// <summary>The order being run, if any (tests wait on it).</summary>
    public Task Running => _work.Running;

    public async Task PollAsync(AgentRecord self, CancellationToken cancellationToken)
    {
        var pending = await _work.ListPendingAsync(() => broker.GetPendingWorkOrdersAsync(self.Id, null, cancellationToken));
        if (pending is null)
        {
            return;
        }
        foreach (var candidate in pending.Where(o => types.ContainsKey(o.WorkType)))
        {
            WorkOrderRecord? claimed;
            try
            {
                claimed = await broker.ClaimWorkOrderAsync(candidate.Id, self.Id, cancellationToken);
            }
            catch (Exception e) when (e is BrokerUnreachableException or BrokerApiException)
            {
                log.LogWarning("Claiming work order {WorkOrderId} failed: {Error}", candidate.Id, e.Message);
                return;
            }
            if (claimed is null)
            {
                metrics.Claim(WorkOrderMetrics.Lost);
                continue;
            }
            metrics.Claim(WorkOrderMetrics.Claimed);
            log.LogInformation("Claimed work order {WorkOrderId} ({WorkType})", claimed.Id, claimed.WorkType);
            _work.Start(() => RunAsync(claimed, cancellationToken));
            return;
        }
    }

    private async Task RunAsync(WorkOrderRecord order, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        metrics.Started();
        try
        {
            WorkOrderOutcome outcome;
            try
            {
                outcome = await types[order.WorkType]().RunAsync(order, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The agent is stopping: the claim is left to the broker's stale-claim release.
                return;
            }
            catch (Exception e)
            {
                outcome = WorkOrderOutcome.Transient($"the agent failed running the work order: {e.Message}");
            }
            var message = outcome.Message.Length > MaxMessageLength ? outcome.Message[..MaxMessageLength] : outcome.Message;
            await ReportAsync(order, outcome with { Message = message }, cancellationToken);
            metrics.Completed(outcome.Result, Stopwatch.GetElapsedTime(started));
            log.LogInformation("Work order {WorkOrderId} finished: {Result}: {Message}", order.Id, outcome.Result, message);
        }
        finally
        {
            metrics.Stopped();
        }
    }

    /// <summary>Reported a few times over a short broker outage; a refusal (claim released and taken) is final.</summary>
    private async Task ReportAsync(WorkOrderRecord order, WorkOrderOutcome outcome, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await broker.CompleteWorkOrderAsync(order.Id, outcome.ToCompletion(), cancellationToken);
                return;
            }
            catch (BrokerApiException e)
            {
                log.LogWarning("The broker refused the completion of work order {WorkOrderId}: {Error}", order.Id, e.Message);
                return;
            }
            catch (BrokerUnreachableException e) when (attempt < ReportAttempts)
            {
                log.LogWarning("Reporting work order {WorkOrderId} failed (attempt {Attempt}): {Error}", order.Id, attempt, e.Message);
                await Task.Delay(ReportRetryDelay, time, cancellationToken);
            }
            catch (BrokerUnreachableException e)
            {
                log.LogWarning("Giving up reporting work order {WorkOrderId}; the broker will release its claim: {Error}", order.Id, e.Message);
                return;
            }
        }
    }
}
