using Brokkr.Broker.Data;
using Brokkr.Broker.Startup;
using Brokkr.Wire;

namespace Brokkr.Broker.StackTelemetry;

/// <summary>
/// Turns <see cref="TelemetryNotice"/>s (from whichever replica wrote the batch, delivered at commit to all of them)
/// into frames for this replica's live-tail subscribers: rows of the batch are read back only for stacks someone here
/// watches, so a replica without subscribers does no work. The notices wait in a bounded queue, so the listener
/// never blocks; a dropped notice costs subscribers those frames, counted like any other live drop.
/// </summary>
public sealed partial class LiveTailFanOut(LiveHub hub, TelemetryMetrics metrics, IServiceScopeFactory scopes, ILogger<LiveTailFanOut> log)
    : NoticeDispatcher<TelemetryNotice>
{
    /// <summary>Called by the listener for each notification on <see cref="TelemetryNotice.Channel"/>; never blocks.</summary>
    public void Notify(string payload)
    {
        if (hub.StackSubscriberCount == 0 || TelemetryNotice.TryDecode(payload) is not { } notice)
        {
            return;
        }
        if (!Offer(notice))
        {
            metrics.LiveDropped(TelemetryMetrics.StackStream);
        }
    }

    protected override void OnFailed(TelemetryNotice notice, Exception error) => LogFailed(log, error.Message);

    protected override async Task DispatchAsync(TelemetryNotice notice, CancellationToken cancellationToken)
    {
        if (notice.Gap is { } gap)
        {
            hub.PublishToStack(gap.StackId, new LogGapMessage(gap));
            return;
        }
        if (notice is not { At: { } at, Stacks: { } stacks })
        {
            return;
        }
        var watched = stacks.Intersect(hub.WatchedStacks()).ToArray();
        if (watched.Length == 0)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
        var createdAt = DateTime.SpecifyKind(at.ToUniversalTime(), DateTimeKind.Utc);
        foreach (var e in await TelemetryReads.EventBatchAsync(db, createdAt, watched, cancellationToken))
        {
            hub.PublishToStack(e.StackId, new K8sEventMessage(new WireK8sEvent(e.AgentId, e.StackId, e.ObservedAt, e.Reason, e.Message,
                e.EventType, e.Source, System.Text.Json.JsonSerializer.Deserialize<WireObjectRef>(e.InvolvedObject, WsCodec.Options)!)));
        }
        foreach (var l in await TelemetryReads.LineBatchAsync(db, createdAt, watched, cancellationToken))
        {
            hub.PublishToStack(l.StackId, new PodLogLineMessage(new WirePodLogLine(l.AgentId, l.StackId, l.Namespace, l.Pod, l.Container,
                l.Ts, l.Line)));
        }
    }

    [LoggerMessage(LogLevel.Warning, "Could not fan a telemetry batch out to live-tail subscribers: {Error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
