using System.Diagnostics.Metrics;
using Brokkr.Broker.Data;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// Diagnostic-request metrics. The outcome counter starts at zero for each terminal status; the open-request gauge
/// reads the counts <see cref="Startup.DiagnosticMaintenance"/> takes each tick.
/// </summary>
public sealed class DiagnosticMetrics
{
    public static readonly string[] Outcomes = [DiagnosticRequest.Completed, DiagnosticRequest.Expired, DiagnosticRequest.Failed];
    public static readonly string[] OpenStatuses = [DiagnosticRequest.Pending, DiagnosticRequest.Claimed];

    private readonly Counter<long> _created;
    private readonly Counter<long> _finished;
    private volatile IReadOnlyDictionary<string, long> _open = new Dictionary<string, long>();

    public DiagnosticMetrics(BrokerMeter meter)
    {
        var m = meter.Meter;
        _created = m.CreateCounter<long>("brokkr_diagnostic_requests_created_total", description: "Diagnostic requests created through the API");
        _finished = m.CreateCounter<long>("brokkr_diagnostic_requests_finished_total",
            description: "Diagnostic requests that reached a terminal status, by outcome (completed, expired unclaimed, failed after a claim)");
        m.CreateObservableGauge("brokkr_diagnostic_requests_open", OpenRequests,
            description: "Diagnostic requests waiting to be claimed or answered, by status");
        _created.Add(0);
        foreach (var outcome in Outcomes) _finished.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void Created() => _created.Add(1);

    /// <param name="outcome">One of <see cref="Outcomes"/>.</param>
    public void Finished(string outcome, long count = 1) => _finished.Add(count, new KeyValuePair<string, object?>("outcome", outcome));

    public void Observe(IReadOnlyDictionary<string, long> open) => _open = open;

    private IEnumerable<Measurement<long>> OpenRequests()
    {
        var open = _open;
        foreach (var status in OpenStatuses)
        {
            yield return new Measurement<long>(open.GetValueOrDefault(status), new KeyValuePair<string, object?>("status", status));
        }
    }
}
