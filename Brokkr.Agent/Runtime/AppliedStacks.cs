namespace Brokkr.Agent.Runtime;

/// <summary>The stacks this agent has applied objects for (R in brokkr-core.md §7.4), to notice when one departs.</summary>
public sealed class AppliedStacks
{
    private readonly HashSet<Guid> _stacks = [];

    public bool IsEmpty => _stacks.Count == 0;

    public void Remember(Guid stackId) => _stacks.Add(stackId);

    public void Forget(Guid stackId) => _stacks.Remove(stackId);

    /// <summary>Applied stacks missing from <paramref name="desired"/>, as a snapshot safe to iterate while forgetting.</summary>
    public IReadOnlyList<Guid> Except(IReadOnlySet<Guid> desired) => _stacks.Where(s => !desired.Contains(s)).ToList();
}
