namespace Brokkr.Agent.Reconcile;

public sealed class ReconcileOptions
{
    public const string FieldManager = "brokkr-controller";
    public const string ValidationFieldManager = "validation";

    /// <summary>Restricts pruning lists of namespaced kinds to this namespace; also the default for objects without one.</summary>
    public string? WatchNamespace { get; init; }

    /// <summary>How long a CRD applied in a bundle may take to become Established.</summary>
    public TimeSpan CrdEstablishTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deletes failing with a transient error are retried (1 s, doubling, ≤60 s apart) for this long.</summary>
    public TimeSpan DeleteRetryBudget { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan DeleteRetryFirstDelay { get; init; } = TimeSpan.FromSeconds(1);
}
