using Brokkr.Agent.Broker;

namespace Brokkr.Agent.Runtime;

/// <summary>
/// Deployment objects whose apply failed, to try again. The broker counts a FAILURE event as an acknowledgement, so
/// an object that failed once — on a passing Kubernetes 500, say — never comes back in the incremental target state;
/// without a retry the cluster would stay drifted until a newer object is posted. Each failed object is retried
/// after 10 s, then twice as long each time, at most 5 minutes apart, until it applies or the stack gets a newer
/// object (or leaves the agent). A FAILURE event is sent once per distinct failure message, not once per attempt.
/// </summary>
public sealed class FailedDeployments
{
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);

    private readonly Dictionary<Guid, Entry> _entries = [];

    public int Count => _entries.Count;

    /// <summary>Records a failed attempt; true when <paramref name="message"/> has not been reported for the object yet.</summary>
    public bool Failed(DeploymentObjectRecord deploymentObject, string message, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(deploymentObject.Id, out var entry))
        {
            entry = new Entry(deploymentObject);
            _entries[deploymentObject.Id] = entry;
        }
        var delay = TimeSpan.FromTicks(Math.Min(FirstRetryDelay.Ticks << Math.Min(entry.Attempts, 30), MaxRetryDelay.Ticks));
        entry.Attempts++;
        entry.DueAt = now + delay;
        return entry.ReportedMessage != message;
    }

    /// <summary>The FAILURE event with <paramref name="message"/> reached the broker.</summary>
    public void Reported(Guid deploymentObjectId, string message)
    {
        if (_entries.TryGetValue(deploymentObjectId, out var entry))
        {
            entry.ReportedMessage = message;
        }
    }

    /// <summary>A failure that trying again cannot fix (the bundle does not parse): no retry.</summary>
    public void GiveUp(Guid deploymentObjectId) => _entries.Remove(deploymentObjectId);

    /// <summary>The object applied; true when it had failed before (so its SUCCESS supersedes a FAILURE event).</summary>
    public bool Succeeded(Guid deploymentObjectId) => _entries.Remove(deploymentObjectId);

    /// <summary>Whether a retry is due; cheap, so the cycle asks the broker for the full target state only then.</summary>
    public bool AnyDue(DateTimeOffset now) => _entries.Values.Any(e => e.DueAt <= now);

    /// <summary>
    /// The objects to try again now, oldest failure first, after dropping those that are no longer what the broker
    /// wants (<paramref name="desired"/>: the ids of the full target state) or that this cycle already applied.
    /// </summary>
    public IReadOnlyList<DeploymentObjectRecord> Due(DateTimeOffset now, IReadOnlySet<Guid> desired, IReadOnlySet<Guid> appliedThisCycle)
    {
        foreach (var id in _entries.Keys.Where(id => !desired.Contains(id)).ToList())
        {
            _entries.Remove(id);
        }
        return _entries.Values.Where(e => e.DueAt <= now && !appliedThisCycle.Contains(e.DeploymentObject.Id))
            .OrderBy(e => e.DeploymentObject.SequenceId).Select(e => e.DeploymentObject).ToList();
    }

    /// <summary>After a restart: an object whose latest event was this FAILURE is retried without reporting it again.</summary>
    public void Recover(DeploymentObjectRecord deploymentObject, string reportedMessage, DateTimeOffset now) =>
        _entries.TryAdd(deploymentObject.Id, new Entry(deploymentObject) { ReportedMessage = reportedMessage, DueAt = now });

    private sealed class Entry(DeploymentObjectRecord deploymentObject)
    {
        public DeploymentObjectRecord DeploymentObject { get; } = deploymentObject;
        public int Attempts { get; set; }
        public DateTimeOffset DueAt { get; set; }
        public string? ReportedMessage { get; set; }
    }
}
