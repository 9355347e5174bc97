using System.Diagnostics.Metrics;

namespace Brokkr.Agent.Metrics;

/// <summary>The agent's diagnostic family (docs/monitoring.md); its Kubernetes calls count like every other call.</summary>
public sealed class DiagnosticMetrics
{
    public const string Submitted = "submitted";
    public const string CollectionError = "collection_error";
    public const string NotSubmitted = "not_submitted";
    public static readonly string[] Outcomes = [Submitted, CollectionError, NotSubmitted];

    private readonly Counter<long> _handled;

    public DiagnosticMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(AgentMetrics.MeterName);
        _handled = meter.CreateCounter<long>("brokkr_agent_diagnostics_total",
            description: "Diagnostic requests this agent claimed, by outcome: submitted, collection_error (submitted with the cluster's error), not_submitted (the broker did not take the result).");
        foreach (var outcome in Outcomes) _handled.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <param name="outcome">One of <see cref="Outcomes"/>.</param>
    public void Handled(string outcome) => _handled.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
