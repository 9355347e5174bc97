using Brokkr.Wire;

namespace Brokkr.Broker.StackTelemetry;

/// <summary>
/// Where the agent channel hands its telemetry frames (<c>k8s_event</c>, <c>pod_log_line</c>, <c>log_gap</c>). Runs on
/// the socket's receive loop, so it only checks what needs no database — the frame names the connection's own agent,
/// every field within its bound — and queues; whether the agent may report for the stack is the writer's check, made
/// per batch. A refused frame is counted and dropped; the socket stays open (one bad line is no reason to cut an agent off).
/// </summary>
public sealed partial class TelemetryIngest(TelemetryQueue queue, TelemetryMetrics metrics, ILogger<TelemetryIngest> log)
{
    public const int MaxNameLength = 253;
    public const int MaxReasonLength = 256;
    public const int MaxMessageLength = 8 * 1024;
    public const int MaxLineLength = 16 * 1024;

    public static bool IsTelemetry(WsMessage message) => message is K8sEventMessage or PodLogLineMessage or LogGapMessage;

    /// <summary>Validates and queues one frame received on <paramref name="agentId"/>'s connection; never waits.</summary>
    public void Accept(Guid agentId, WsMessage message)
    {
        var (bodyAgent, valid) = message switch
        {
            K8sEventMessage { Body: var e } => (e.AgentId, ValidEvent(e)),
            PodLogLineMessage { Body: var l } => (l.AgentId, ValidLine(l)),
            LogGapMessage { Body: var g } => (g.AgentId, ValidGap(g)),
            _ => (agentId, false),
        };
        if (bodyAgent != agentId)
        {
            metrics.Dropped(TelemetryDropReason.ForeignAgent);
            LogForeign(log, agentId, message.Type);
            return;
        }
        if (!valid)
        {
            metrics.Dropped(TelemetryDropReason.Invalid);
            return;
        }
        if (!queue.TryEnqueue(new QueuedTelemetry(agentId, message)))
        {
            metrics.Dropped(TelemetryDropReason.QueueFull);
        }
    }

    private static bool ValidEvent(WireK8sEvent e) =>
        Bounded(e.Reason, MaxReasonLength) && Bounded(e.Message, MaxMessageLength, allowEmpty: true)
        && Bounded(e.EventType, MaxReasonLength) && (e.Source is null || Bounded(e.Source, MaxReasonLength, allowEmpty: true))
        && Bounded(e.InvolvedObject.ApiVersion, MaxNameLength) && Bounded(e.InvolvedObject.Kind, MaxNameLength)
        && Bounded(e.InvolvedObject.Name, MaxNameLength)
        && (e.InvolvedObject.Namespace is null || Bounded(e.InvolvedObject.Namespace, MaxNameLength, allowEmpty: true))
        && (e.InvolvedObject.Uid is null || Bounded(e.InvolvedObject.Uid, MaxNameLength, allowEmpty: true));

    private static bool ValidLine(WirePodLogLine l) =>
        Bounded(l.Namespace, MaxNameLength) && Bounded(l.Pod, MaxNameLength) && Bounded(l.Container, MaxNameLength)
        && Bounded(l.Line, MaxLineLength, allowEmpty: true);

    private static bool ValidGap(WireLogGap g) => g.Reason is "rate_limit" or "buffer_full" or "disconnected";

    /// <summary>
    /// Within its bound and storable as PostgreSQL text: no NUL (text cannot hold it) and no lone surrogate (not UTF-8),
    /// either of which would fail the whole batch's COPY rather than this one frame.
    /// </summary>
    private static bool Bounded(string value, int max, bool allowEmpty = false)
    {
        if (value.Length > max || (!allowEmpty && value.Length == 0))
        {
            return false;
        }
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0' || char.IsLowSurrogate(c))
            {
                return false;
            }
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    [LoggerMessage(LogLevel.Debug, "Dropped a {Type} frame on agent {AgentId}'s channel that names another agent")]
    private static partial void LogForeign(ILogger logger, Guid agentId, string type);
}
