using System.Threading.Channels;
using Brokkr.Wire;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.StackTelemetry;

/// <summary>A telemetry frame accepted from an agent's channel, waiting for <see cref="TelemetryWriter"/>.</summary>
public sealed record QueuedTelemetry(Guid AgentId, WsMessage Message);

/// <summary>
/// This replica's bounded ingest queue between the agents' sockets and the batch writer. Enqueueing never waits: a
/// full queue refuses the frame (counted as <c>queue_full</c>), so a slow database can never stall a receive loop.
/// </summary>
public sealed class TelemetryQueue(IOptions<TelemetryOptions> options)
{
    private readonly Channel<QueuedTelemetry> _channel = Channel.CreateBounded<QueuedTelemetry>(
        new BoundedChannelOptions(Math.Max(1, options.Value.QueueCapacity)) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public int Depth => _channel.Reader.Count;

    public ChannelReader<QueuedTelemetry> Reader => _channel.Reader;

    public bool TryEnqueue(QueuedTelemetry frame) => _channel.Writer.TryWrite(frame);

    public void Complete() => _channel.Writer.TryComplete();
}
