using System.Net;
using System.Net.WebSockets;
using Brokkr.Agent.Configuration;
using Brokkr.Agent.Metrics;
using Brokkr.Wire;

namespace Brokkr.Agent.Channel;

/// <summary>
/// The agent's end of the broker channel (<c>/internal/ws/agent</c>): connected after startup, reconnected with
/// <see cref="ChannelBackoff"/> whenever it drops. A pushed change (stack, targets, work order) wakes the control loop
/// (<see cref="LoopWakeUp"/>), which reconciles at once. REST polling never stops — the channel only shortens the wait —
/// so while the channel is down the agent simply runs at its polling interval. Its waits use real time, never the
/// loop's <see cref="TimeProvider"/>. While connected it also carries the agent's reports (<see cref="TrySendAsync"/>,
/// used by <see cref="BrokerUplink"/>). A broker that refuses the PAK at upgrade (401 or 403)
/// <see cref="MaxConsecutiveAuthRejections"/> times in a row has almost certainly revoked it: the channel then stops
/// trying, as upstream's agent does, and the agent stays on REST.
/// </summary>
public sealed partial class BrokerChannel(AgentSettings settings, LoopWakeUp wakeUp, ILogger<BrokerChannel> log,
    AgentChannelMetrics? metrics = null)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    private const int MaxFrameBytes = 1 << 20;

    /// <summary>Upstream's bound: this many refused upgrades in a row, with no other failure between, end reconnecting.</summary>
    public const int MaxConsecutiveAuthRejections = 5;

    /// <summary>How long a report may wait for the socket before it goes over REST instead.</summary>
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(5);

    private volatile bool _connected;
    private volatile bool _authRejected;
    private volatile ChannelSender? _sender;
    private Task _running = Task.CompletedTask;

    public bool IsConnected => _connected;

    /// <summary>True once the broker refused the PAK <see cref="MaxConsecutiveAuthRejections"/> times: no more attempts.</summary>
    public bool GaveUp => _authRejected;

    /// <summary>Writes a frame on the open channel; false (send it over REST) when the channel is down or the write fails.</summary>
    public Task<bool> TrySendAsync(WsMessage message, CancellationToken cancellationToken) =>
        _sender is { } sender ? sender.TrySendAsync(message, SendTimeout, cancellationToken) : Task.FromResult(false);

    /// <summary>Starts connecting in the background, unless <c>ws_force_rest</c> is set.</summary>
    public void Start(CancellationToken stoppingToken)
    {
        if (settings.WsForceRest)
        {
            LogForcedRest(log);
            return;
        }
        _running = Task.Run(() => RunAsync(stoppingToken), CancellationToken.None);
    }

    public Task Completion => _running;

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        var rejections = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            using var socket = new ClientWebSocket();
            try
            {
                socket.Options.CollectHttpResponseDetails = true;
                socket.Options.SetRequestHeader("Authorization", $"Bearer {settings.Pak}");
                socket.Options.KeepAliveInterval = KeepAlive;
                socket.Options.KeepAliveTimeout = KeepAlive;
                using (var connect = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    connect.CancelAfter(ConnectTimeout);
                    await socket.ConnectAsync(settings.ChannelUrl, connect.Token);
                }
                _sender = new ChannelSender(socket);
                _connected = true;
                metrics?.Connected(true);
                failures = 0;
                rejections = 0;
                LogConnected(log, settings.ChannelUrl);
                // Whatever changed while the channel was down is picked up now rather than at the next poll.
                wakeUp.Wake();
                await ReceiveAsync(socket, stoppingToken);
                LogLost(log, socket.CloseStatusDescription ?? "closed");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (WebSocketException) when (socket.HttpStatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                rejections++;
                LogRejected(log, (int)socket.HttpStatusCode, rejections, MaxConsecutiveAuthRejections);
                if (rejections >= MaxConsecutiveAuthRejections)
                {
                    _authRejected = true;
                    LogGaveUp(log, rejections);
                    return;
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException)
            {
                // A transient failure (broker restarting, network) is never a step towards giving up.
                rejections = 0;
                if (failures == 0)
                {
                    LogLost(log, e.Message);
                }
            }
            finally
            {
                _connected = false;
                _sender = null;
                metrics?.Connected(false);
            }
            failures++;
            try
            {
                await Task.Delay(ChannelBackoff.Next(failures, Random.Shared), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReceiveAsync(ClientWebSocket socket, CancellationToken stoppingToken)
    {
        var buffer = new byte[16 * 1024];
        using var frame = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), stoppingToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
            if (frame.Length + result.Count > MaxFrameBytes)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "frame too large", stoppingToken);
                return;
            }
            frame.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }
            var message = WsCodec.TryDecode(frame.GetBuffer().AsSpan(0, (int)frame.Length));
            frame.SetLength(0);
            // Pushes are hints to re-poll: which one arrived does not matter, only that something changed.
            if (message is WorkOrderMessage or TargetChangedMessage or StackChangedMessage)
            {
                LogPushed(log, message.Type);
                wakeUp.Wake();
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "ws_force_rest is set: no broker channel, REST polling only")]
    private static partial void LogForcedRest(ILogger logger);

    [LoggerMessage(LogLevel.Information, "Broker channel connected to {Url}")]
    private static partial void LogConnected(ILogger logger, Uri url);

    [LoggerMessage(LogLevel.Warning, "Broker channel down ({Reason}); polling at the normal interval until it reconnects")]
    private static partial void LogLost(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Warning, "Broker refused the agent PAK on the channel upgrade ({Status}), {Count} of {Max} in a row")]
    private static partial void LogRejected(ILogger logger, int status, int count, int max);

    [LoggerMessage(LogLevel.Error, "Broker refused the agent PAK on the channel upgrade {Count} times in a row: it is almost certainly revoked. No more channel attempts; REST polling only. Provision a new PAK and restart the agent")]
    private static partial void LogGaveUp(ILogger logger, int count);

    [LoggerMessage(LogLevel.Debug, "Broker pushed {Type}: reconciling now")]
    private static partial void LogPushed(ILogger logger, string type);
}
