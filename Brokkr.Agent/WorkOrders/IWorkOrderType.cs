using Brokkr.Agent.Broker;

namespace Brokkr.Agent.WorkOrders;

/// <summary>One <c>work_type</c> the agent runs: applies the order's YAML and watches it to an outcome.</summary>
public interface IWorkOrderType
{
    Task<WorkOrderOutcome> RunAsync(WorkOrderRecord order, CancellationToken cancellationToken);
}
