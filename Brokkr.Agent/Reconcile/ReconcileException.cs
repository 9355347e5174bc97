namespace Brokkr.Agent.Reconcile;

/// <summary>A reconcile that did not complete; the message is what the FAILURE event carries.</summary>
public sealed class ReconcileException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Per-object outcomes, for brokkr_agent_reconcile_objects_total{action}.</summary>
public interface IReconcileObserver
{
    void OnObject(string action);
}

public static class ReconcileActions
{
    public const string Applied = "applied";
    public const string Unchanged = "unchanged";
    public const string Pruned = "pruned";
    public const string Failed = "failed";
}

/// <summary>Counts of one reconcile, for the log line.</summary>
public sealed record ReconcileSummary(int Applied, int Unchanged, int Pruned);
