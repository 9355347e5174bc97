using System.Text.Json;
using Brokkr.Agent.Broker;
using Brokkr.Agent.Metrics;
using Brokkr.Wire;

namespace Brokkr.Agent.Channel;

/// <summary>
/// The agent's reports to the broker — heartbeats, deployment events, deployment health — over the channel while it
/// is up (upstream's <c>heartbeat</c>, <c>agent_event</c> and <c>agent_health</c> frames), else over REST. Each report
/// goes one way or the other: a frame the channel could not write is sent over REST, so nothing is lost to a channel
/// that is down, stalled or dropping mid-send. REST failures reach the caller exactly as before.
/// </summary>
public sealed class BrokerUplink(BrokerClient broker, BrokerChannel channel, AgentChannelMetrics metrics, TimeProvider time)
{
    public async Task SendHeartbeatAsync(Guid agentId, HeartbeatReport report, CancellationToken cancellationToken)
    {
        var frame = new HeartbeatMessage(new WireHeartbeat(agentId, Now(), report.K8sReachable, report.K8sApiLatencyMs));
        var overChannel = await channel.TrySendAsync(frame, cancellationToken);
        if (!overChannel)
        {
            await broker.SendHeartbeatAsync(agentId, report, cancellationToken);
        }
        metrics.Reported(AgentChannelMetrics.Heartbeat, overChannel);
    }

    /// <summary>Reports a deployment event; true when it went as a channel frame (not yet known to be stored).</summary>
    public async Task<bool> ReportEventAsync(AgentEventReport report, CancellationToken cancellationToken)
    {
        var now = Now();
        // The id and stamps are upstream's wire shape; the broker assigns its own when it stores the event.
        var frame = new AgentEventMessage(new WireAgentEvent(Guid.CreateVersion7(), now, now, null, report.AgentId,
            report.DeploymentObjectId, report.EventType, report.Status, report.Message));
        var overChannel = await channel.TrySendAsync(frame, cancellationToken);
        if (!overChannel)
        {
            await broker.ReportEventAsync(report, cancellationToken);
        }
        metrics.Reported(AgentChannelMetrics.AgentEvent, overChannel);
        return overChannel;
    }

    /// <summary>One frame per object over the channel (as upstream); whatever the channel could not take goes in one PATCH.</summary>
    public async Task ReportHealthAsync(Guid agentId, IReadOnlyList<DeploymentObjectHealthReport> entries,
        CancellationToken cancellationToken)
    {
        var sent = 0;
        while (sent < entries.Count && channel.IsConnected)
        {
            var entry = entries[sent];
            var now = Now();
            var frame = new AgentHealthMessage(new WireDeploymentHealth(Guid.CreateVersion7(), agentId, entry.Id, entry.Status,
                JsonSerializer.Serialize(entry.Summary, BrokerClient.Json), entry.CheckedAt.UtcDateTime, now, now));
            if (!await channel.TrySendAsync(frame, cancellationToken))
            {
                break;
            }
            sent++;
        }
        if (sent > 0)
        {
            metrics.Reported(AgentChannelMetrics.AgentHealth, overChannel: true, sent);
        }
        if (sent < entries.Count)
        {
            await broker.ReportHealthAsync(agentId, [.. entries.Skip(sent)], cancellationToken);
            metrics.Reported(AgentChannelMetrics.AgentHealth, overChannel: false, entries.Count - sent);
        }
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
