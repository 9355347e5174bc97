using System.Diagnostics.Metrics;

namespace Brokkr.Agent.Metrics;

/// <summary>
/// The agent's side of the broker channel (docs/monitoring.md): whether it is open, and which way each report went —
/// over the channel, or over REST because the channel was down or could not take the frame.
/// </summary>
public sealed class AgentChannelMetrics
{
    public const string Channel = "channel";
    public const string Rest = "rest";
    public const string Heartbeat = "heartbeat";
    public const string AgentEvent = "agent_event";
    public const string AgentHealth = "agent_health";
    public static readonly string[] Paths = [Channel, Rest];
    public static readonly string[] ReportTypes = [Heartbeat, AgentEvent, AgentHealth];

    private readonly Counter<long> _reports;
    private int _connected;

    public AgentChannelMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(AgentMetrics.MeterName);
        meter.CreateObservableGauge("brokkr_agent_ws_connected", () => Volatile.Read(ref _connected),
            description: "1 while the agent holds its channel WebSocket to the broker, else 0 (down, ws_force_rest, or given up).");
        _reports = meter.CreateCounter<long>("brokkr_agent_reports_total",
            description: "Reports sent to the broker, by type (heartbeat, agent_event, agent_health) and path (channel, rest).");
        foreach (var type in ReportTypes)
        {
            foreach (var path in Paths)
            {
                _reports.Add(0, Labels(type, path));
            }
        }
    }

    public void Connected(bool connected) => Volatile.Write(ref _connected, connected ? 1 : 0);

    /// <param name="type">One of <see cref="ReportTypes"/>.</param>
    /// <param name="overChannel">False when it went over REST.</param>
    public void Reported(string type, bool overChannel, int count = 1) =>
        _reports.Add(count, Labels(type, overChannel ? Channel : Rest));

    private static KeyValuePair<string, object?>[] Labels(string type, string path) => [new("type", type), new("path", path)];
}
