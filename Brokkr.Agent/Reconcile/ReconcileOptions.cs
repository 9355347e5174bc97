namespace Brokkr.Agent.Reconcile;

public sealed class ReconcileOptions
{
    public const string FieldManager = "brokkr-controller";
    public const string ValidationFieldManager = "validation";

    /// <summary>
    /// Restricts pruning lists of namespaced kinds to this namespace; also where objects without one go (ahead of the
    /// kubeconfig context's namespace).
    /// </summary>
    public string? WatchNamespace { get; init; }

    /// <summary>How long a CRD applied in a bundle may take to become Established.</summary>
    public TimeSpan CrdEstablishTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deletes failing with a transient error are retried (1 s, doubling, ≤60 s apart) for this long.</summary>
    public TimeSpan DeleteRetryBudget { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Longest one prune may spend deleting, retries included; caps <see cref="DeleteRetryBudget"/>. Pruning runs
    /// inside the control loop, so against a failing API the spec's 5 minutes per object would hold back heartbeats
    /// for 5 minutes times the object count. What is left when it runs out fails this prune and is tried next time.
    /// </summary>
    public TimeSpan PruneTimeBudget { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan DeleteRetryFirstDelay { get; init; } = TimeSpan.FromSeconds(1);
}
