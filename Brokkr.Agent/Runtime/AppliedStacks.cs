namespace Brokkr.Agent.Runtime;

/// <summary>
/// The stacks this agent has applied objects for (R in brokkr-core.md §7.4), to notice when one departs, each with
/// the deployment object last applied successfully (tracked for deployment health, §7.7).
/// </summary>
public sealed class AppliedStacks
{
    private readonly Dictionary<Guid, Guid?> _stacks = [];

    public bool IsEmpty => _stacks.Count == 0;

    /// <summary>Records the stack; with <paramref name="deploymentObjectId"/> also its current object.</summary>
    public void Remember(Guid stackId, Guid? deploymentObjectId = null)
    {
        if (deploymentObjectId is not null || !_stacks.ContainsKey(stackId))
        {
            _stacks[stackId] = deploymentObjectId;
        }
    }

    public void Forget(Guid stackId) => _stacks.Remove(stackId);

    /// <summary>Applied stacks missing from <paramref name="desired"/>, as a snapshot safe to iterate while forgetting.</summary>
    public IReadOnlyList<Guid> Except(IReadOnlySet<Guid> desired) => _stacks.Keys.Where(s => !desired.Contains(s)).ToList();

    public IReadOnlySet<Guid> CurrentDeploymentObjects() => _stacks.Values.OfType<Guid>().ToHashSet();
}
