using System.Collections.Concurrent;
using Brokkr.Wire;

namespace Brokkr.Broker.StackTelemetry;

/// <summary>This replica's live-tail subscribers: per stack, and on the fleet stream. Other replicas hold their own.</summary>
public sealed class LiveHub(TelemetryMetrics metrics)
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<LiveSubscriber, byte>> _stacks = new();
    private readonly ConcurrentDictionary<LiveSubscriber, byte> _fleet = new();

    public bool HasFleetSubscribers => !_fleet.IsEmpty;

    public int StackSubscriberCount => metrics.StackSubscribers;

    /// <summary>The stacks someone on this replica watches.</summary>
    public Guid[] WatchedStacks() => [.. _stacks.Where(s => !s.Value.IsEmpty).Select(s => s.Key)];

    public LiveSubscriber Subscribe(Guid? stackId)
    {
        var stream = stackId is null ? TelemetryMetrics.FleetStream : TelemetryMetrics.StackStream;
        var subscriber = new LiveSubscriber(stream, stackId, metrics);
        var set = stackId is { } id ? _stacks.GetOrAdd(id, _ => new()) : _fleet;
        set.TryAdd(subscriber, 0);
        metrics.Subscribed(stream, +1);
        return subscriber;
    }

    public void Unsubscribe(LiveSubscriber subscriber)
    {
        subscriber.Complete();
        var set = subscriber.StackId is { } id ? _stacks.GetValueOrDefault(id) : _fleet;
        if (set is not null && set.TryRemove(subscriber, out _))
        {
            metrics.Subscribed(subscriber.Stream, -1);
        }
        // An emptied stack set stays (one entry per stack ever watched): removing it could race a joining subscriber.
    }

    public void PublishToStack(Guid stackId, WsMessage message)
    {
        if (_stacks.TryGetValue(stackId, out var set))
        {
            foreach (var subscriber in set.Keys)
            {
                subscriber.Offer(message);
            }
        }
    }

    public void PublishToFleet(WsMessage message)
    {
        foreach (var subscriber in _fleet.Keys)
        {
            subscriber.Offer(message);
        }
    }
}
