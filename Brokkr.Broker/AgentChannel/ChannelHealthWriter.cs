using System.Threading.Channels;
using Brokkr.Broker.Api.V1.Health;
using Brokkr.Broker.Data;
using Brokkr.Broker.Startup;

namespace Brokkr.Broker.AgentChannel;

/// <summary>
/// Writes the channel's <c>agent_health</c> frames in batches. Upstream's agents send one frame per deployment object
/// (the REST report carries them all in one PATCH), so a fleet reporting over the channel would otherwise cost one
/// upsert per object per health interval; here the frames of every connection are gathered and upserted together,
/// up to <see cref="BatchSize"/> per statement. A full queue makes the caller write its frame itself (<see cref="TryQueue"/>),
/// so a burst slows the uplink down instead of losing verdicts. A batch the database refuses is logged, counted
/// (<c>brokkr_ws_messages_dropped_total{reason="write_failed"}</c>) and dropped, as a failed REST report is lost too:
/// the agent reports again at its next interval.
/// </summary>
public sealed partial class ChannelHealthWriter : QueueDrain<AgentHealthUpdate>
{
    private const int Capacity = 10_000;
    private readonly Channel<AgentHealthUpdate> _queue;
    private readonly IServiceScopeFactory _scopes;
    private readonly ChannelMetrics _metrics;
    private readonly ILogger<ChannelHealthWriter> _log;

    public ChannelHealthWriter(IServiceScopeFactory scopes, ChannelMetrics metrics, ILogger<ChannelHealthWriter> log)
        : this(Channel.CreateBounded<AgentHealthUpdate>(new BoundedChannelOptions(Capacity) { SingleReader = true }), scopes, metrics, log)
    {
    }

    private ChannelHealthWriter(Channel<AgentHealthUpdate> queue, IServiceScopeFactory scopes, ChannelMetrics metrics,
        ILogger<ChannelHealthWriter> log)
        : base(queue.Reader, () => queue.Writer.TryComplete())
    {
        _queue = queue;
        _scopes = scopes;
        _metrics = metrics;
        _log = log;
    }

    protected override int BatchSize => DeploymentHealthReports.MaxEntriesPerReport;

    /// <summary>Queues a validated verdict; false when the queue is full (or the broker stopping) and nothing was queued.</summary>
    public bool TryQueue(AgentHealthUpdate update) => _queue.Writer.TryWrite(update);

    protected override async Task WriteAsync(List<AgentHealthUpdate> batch, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            await DeploymentHealthReports.WriteAsync(scope.ServiceProvider.GetRequiredService<BrokkrDbContext>(), batch, skipUnknown: true);
        }
        catch (Exception e)
        {
            _metrics.Dropped(DropReason.WriteFailed, batch.Count);
            LogLost(_log, batch.Count, e.Message);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Lost {Count} deployment-health verdicts sent over agent channels ({Error}); their agents report again at their next interval")]
    private static partial void LogLost(ILogger logger, int count, string error);
}
