using System.Diagnostics.Metrics;

namespace Brokkr.Broker.Metrics;

/// <summary>Why a request was refused at authentication: the <c>reason</c> label, a fixed set by design.</summary>
public static class AuthFailureReason
{
    /// <summary>No Authorization header, or an empty one.</summary>
    public const string Missing = "missing";

    /// <summary>A header that is not a PAK: several values, non-ASCII, or not three '_'-separated parts.</summary>
    public const string Malformed = "malformed";

    /// <summary>A well-formed PAK that belongs to no admin, live agent or live generator (wrong, rotated, deleted).</summary>
    public const string Unknown = "unknown";

    public static readonly string[] All = [Missing, Malformed, Unknown];
}

/// <summary>
/// The broker's business counters. Each starts at zero for every value of its fixed label set (the event statuses
/// the API accepts, the auth failure reasons), so a rate() or an alert over them never sees a missing series.
/// </summary>
public sealed class BusinessMetrics
{
    public static readonly string[] EventStatuses = ["SUCCESS", "FAILURE"];

    private readonly Counter<long> _deploymentObjectsCreated;
    private readonly Counter<long> _agentEvents;
    private readonly Counter<long> _heartbeats;
    private readonly Counter<long> _authFailures;

    public BusinessMetrics(BrokerMeter meter)
    {
        var m = meter.Meter;
        _deploymentObjectsCreated = m.CreateCounter<long>("brokkr_deployment_objects_created_total",
            description: "Deployment objects submitted through the API, deletion markers included");
        _agentEvents = m.CreateCounter<long>("brokkr_agent_events_total", description: "Events reported by agents, by status");
        _heartbeats = m.CreateCounter<long>("brokkr_heartbeats_received_total", description: "Agent heartbeats accepted");
        _authFailures = m.CreateCounter<long>("brokkr_auth_failures_total",
            description: "Requests refused at authentication, by reason");

        _deploymentObjectsCreated.Add(0);
        _heartbeats.Add(0);
        foreach (var status in EventStatuses)
        {
            _agentEvents.Add(0, new KeyValuePair<string, object?>("status", status));
        }
        foreach (var reason in AuthFailureReason.All)
        {
            _authFailures.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public void DeploymentObjectCreated() => _deploymentObjectsCreated.Add(1);

    /// <param name="status">One of <see cref="EventStatuses"/> (the API rejects anything else).</param>
    public void AgentEvent(string status) => _agentEvents.Add(1, new KeyValuePair<string, object?>("status", status));

    public void HeartbeatReceived() => _heartbeats.Add(1);

    /// <param name="reason">One of <see cref="AuthFailureReason.All"/>.</param>
    public void AuthFailed(string reason) => _authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
