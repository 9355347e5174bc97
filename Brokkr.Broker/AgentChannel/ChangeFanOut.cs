using Brokkr.Broker.Api.V1.WorkOrders;
using Brokkr.Broker.Data;
using Brokkr.Broker.Startup;
using Brokkr.Broker.Targeting;
using Brokkr.Wire;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.AgentChannel;

/// <summary>
/// Turns the database's change notifications (<see cref="Channel"/>, raised by triggers at commit on whichever replica
/// wrote) into pushes to the agents connected to this replica that the change affects: a stack's agents by its
/// targets, labels and annotations (the association rules of target state), an agent itself for its own targets,
/// labels and registrations, and the agents a new work order targets. Never a broadcast. Pushes are hints; an agent
/// that misses one (not connected, queue full) catches up on its next poll; when this replica's listener comes back
/// from an outage, every agent connected here is nudged at once (<see cref="Resync"/>).
/// </summary>
public sealed partial class ChangeFanOut(AgentConnections connections, IServiceScopeFactory scopes, ILogger<ChangeFanOut> log)
    : NoticeDispatcher<string>
{
    public const string Channel = "brokkr_agent_changes";

    /// <summary>Called by the listener for each notification; never blocks it. A dropped notice only costs its agents a poll interval.</summary>
    public void Notify(string payload)
    {
        if (connections.Count > 0)
        {
            Offer(payload);
        }
    }

    /// <summary>
    /// Called by the listener when it is back after an outage: changes committed meanwhile sent notices nobody here
    /// heard, so every agent connected here is nudged to poll at once instead of at its next interval.
    /// </summary>
    public void Resync()
    {
        if (connections.Count > 0)
        {
            Offer(ResyncNotice);
        }
    }

    private const string ResyncNotice = "resync";

    protected override void OnFailed(string payload, Exception error) => LogFailed(log, payload, error.Message);

    protected override async Task DispatchAsync(string payload, CancellationToken cancellationToken)
    {
        if (payload == ResyncNotice)
        {
            foreach (var agentId in connections.AgentIds)
            {
                connections.Send(agentId, Nudge(agentId));
            }
            return;
        }
        var separator = payload.IndexOf(':');
        if (separator < 0 || !Guid.TryParse(payload.AsSpan(separator + 1), out var id))
        {
            return;
        }
        var connected = connections.AgentIds.ToArray();
        if (connected.Length == 0)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
        switch (payload[..separator])
        {
            case "stack":
                await StackChangedAsync(db, id, connected, cancellationToken);
                break;
            case "agent" when connected.Contains(id):
                connections.Send(id, Nudge(id));
                break;
            case "work_order":
                await WorkOrderCreatedAsync(db, id, connected, cancellationToken);
                break;
        }
    }

    private async Task StackChangedAsync(BrokkrDbContext db, Guid stackId, Guid[] connected, CancellationToken cancellationToken)
    {
        var stack = await db.Stacks.AsNoTracking().SingleOrDefaultAsync(s => s.Id == stackId, cancellationToken);
        if (stack is null)
        {
            return;
        }
        var affected = await db.Database.SqlQueryRaw<Guid>(
                $"SELECT DISTINCT a.agent_id AS \"Value\" FROM ({FleetTargeting.Associations}) a WHERE a.stack_id = {{0}} AND a.agent_id = ANY({{1}})",
                stackId, connected)
            .ToListAsync(cancellationToken);
        var message = new StackChangedMessage(new WireStack(stack.Id, stack.CreatedAt, stack.UpdatedAt, stack.DeletedAt, stack.Name,
            stack.Description, stack.GeneratorId));
        foreach (var agentId in affected)
        {
            connections.Send(agentId, message);
        }
    }

    private async Task WorkOrderCreatedAsync(BrokkrDbContext db, Guid workOrderId, Guid[] connected, CancellationToken cancellationToken)
    {
        var order = await db.WorkOrders.AsNoTracking().SingleOrDefaultAsync(w => w.Id == workOrderId, cancellationToken);
        if (order is not { Status: WorkOrder.Pending })
        {
            return;
        }
        var message = new WorkOrderMessage(new WireWorkOrder(order.Id, order.CreatedAt, order.UpdatedAt, order.WorkType,
            order.YamlContent, order.Status, order.ClaimedBy, order.ClaimedAt, order.ClaimTimeoutSeconds, order.MaxRetries,
            order.RetryCount, order.BackoffSeconds, order.NextRetryAfter, order.LastError, order.LastErrorAt));
        foreach (var agentId in await WorkOrderQueries.TargetedAmongAsync(db, workOrderId, connected, cancellationToken))
        {
            connections.Send(agentId, message);
        }
    }

    /// <summary>Upstream's nudge: a nil target that means "re-poll your targets".</summary>
    private static TargetChangedMessage Nudge(Guid agentId) => new(new WireAgentTarget(Guid.Empty, agentId, Guid.Empty));

    [LoggerMessage(LogLevel.Warning, "Could not fan out change {Change} to connected agents (their polling covers it): {Error}")]
    private static partial void LogFailed(ILogger logger, string change, string error);
}
