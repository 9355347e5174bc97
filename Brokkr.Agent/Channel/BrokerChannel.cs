using System.Net.WebSockets;
using Brokkr.Agent.Configuration;
using Brokkr.Wire;

namespace Brokkr.Agent.Channel;

/// <summary>
/// The agent's end of the broker channel (<c>/internal/ws/agent</c>): connected after startup, reconnected with
/// <see cref="ChannelBackoff"/> whenever it drops. A pushed change (stack, targets, work order) wakes the control loop
/// (<see cref="LoopWakeUp"/>), which reconciles at once. REST polling never stops — the channel only shortens the wait —
/// so while the channel is down the agent simply runs at its polling interval. Its waits use real time, never the
/// loop's <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class BrokerChannel(AgentSettings settings, LoopWakeUp wakeUp, ILogger<BrokerChannel> log)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    private const int MaxFrameBytes = 1 << 20;

    private volatile bool _connected;
    private Task _running = Task.CompletedTask;

    public bool IsConnected => _connected;

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
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var socket = new ClientWebSocket();
                socket.Options.SetRequestHeader("Authorization", $"Bearer {settings.Pak}");
                socket.Options.KeepAliveInterval = KeepAlive;
                socket.Options.KeepAliveTimeout = KeepAlive;
                using (var connect = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    connect.CancelAfter(ConnectTimeout);
                    await socket.ConnectAsync(settings.ChannelUrl, connect.Token);
                }
                _connected = true;
                failures = 0;
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
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException)
            {
                if (failures == 0)
                {
                    LogLost(log, e.Message);
                }
            }
            finally
            {
                _connected = false;
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

    [LoggerMessage(LogLevel.Debug, "Broker pushed {Type}: reconciling now")]
    private static partial void LogPushed(ILogger logger, string type);
}
