using System.Text.Json.Nodes;
using System.Threading.Channels;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Audit;

/// <summary>
/// Where requests hand audit entries over: a bounded in-memory channel that <see cref="AuditWriter"/> drains in
/// batches. Recording never waits and never throws — a full queue drops the entry and counts it — so auditing cannot
/// slow down or fail the request it describes.
/// </summary>
public sealed class AuditQueue
{
    private const int MaxUserAgentLength = 512;

    private readonly Channel<AuditLog> _channel;
    private readonly bool _enabled;

    public AuditQueue(IOptions<AuditOptions> options)
    {
        _enabled = options.Value.Enabled;
        _channel = Channel.CreateBounded<AuditLog>(new BoundedChannelOptions(Math.Max(1, options.Value.QueueCapacity))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <summary>Raised for every entry the full queue refused.</summary>
    public event Action? Dropped;

    public int Depth => _channel.Reader.Count;

    public ChannelReader<AuditLog> Reader => _channel.Reader;

    /// <summary>Records an action of <paramref name="caller"/> (null: the system, or an unauthenticated client).</summary>
    public void Record(string action, string resourceType, Guid? resourceId, Caller? caller, HttpContext? http = null, JsonObject? details = null)
    {
        if (!_enabled)
        {
            return;
        }
        var (actorType, actorId) = caller switch
        {
            null => (AuditLog.System, (Guid?)null),
            { IsAgent: true } => (AuditLog.Agent, caller.AgentId),
            { IsGenerator: true } => (AuditLog.Generator, caller.GeneratorId),
            _ => (AuditLog.Admin, (Guid?)null),
        };
        var entry = Entry(action, resourceType, resourceId, actorType, actorId, details,
            http?.Connection.RemoteIpAddress?.ToString(), http?.Request.Headers.UserAgent.ToString());
        if (!_channel.Writer.TryWrite(entry))
        {
            Dropped?.Invoke();
        }
    }

    /// <summary>One entry as it is stored; also what the broker's subcommands write directly (they run no writer).</summary>
    public static AuditLog Entry(string action, string resourceType, Guid? resourceId, string actorType, Guid? actorId,
        JsonObject? details, string? ipAddress, string? userAgent)
    {
        var now = DateTime.UtcNow;
        return new AuditLog
        {
            Id = Guid.CreateVersion7(),
            Timestamp = now,
            CreatedAt = now,
            ActorType = actorType,
            ActorId = actorId,
            Action = action,
            ResourceType = resourceType,
            ResourceId = resourceId,
            Details = details?.ToJsonString(),
            IpAddress = ipAddress,
            UserAgent = string.IsNullOrEmpty(userAgent) ? null : userAgent[..Math.Min(userAgent.Length, MaxUserAgentLength)],
        };
    }

    /// <summary>No more entries: the writer drains what is queued and stops.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
