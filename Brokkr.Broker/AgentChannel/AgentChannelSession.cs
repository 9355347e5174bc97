using System.Net.WebSockets;
using Brokkr.Wire;

namespace Brokkr.Broker.AgentChannel;

/// <summary>
/// Serves one accepted agent socket until either side ends it. The writer is the only sender (frames from the queue,
/// then the close frame); the reader decodes frames and hands the control uplinks to <see cref="ChannelUplink"/>. A frame over
/// <see cref="MaxFrameBytes"/>, a binary frame or one that is not a wire message ends the connection with a close code
/// that says why (1009, 1003, 1007).
/// </summary>
public sealed partial class AgentChannelSession(AgentConnections connections, ChannelMetrics metrics,
    ChannelUplink uplink, TimeProvider time, IHostApplicationLifetime lifetime, StackTelemetry.TelemetryIngest telemetry,
    ILogger<AgentChannelSession> log)
{
    public const int MaxFrameBytes = 1 << 20;

    // How long a closing connection may take to finish its handshake before the socket is aborted (a stalled agent).
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    /// <param name="pakHash">The stored hash of the PAK the agent authenticated with.</param>
    public async Task RunAsync(WebSocket socket, Guid agentId, string? pakHash)
    {
        var connection = new AgentConnection(agentId, pakHash, time.GetUtcNow().UtcDateTime);
        connections.Register(connection);
        metrics.Opened();
        LogOpened(log, agentId);
        using var stopping = lifetime.ApplicationStopping.Register(() =>
            connection.Close(WebSocketCloseStatus.EndpointUnavailable, "broker shutting down"));
        try
        {
            var reader = ReadAsync(socket, connection);
            var writer = WriteAsync(socket, connection);
            await Task.WhenAny(reader, writer);
            connection.Close(WebSocketCloseStatus.NormalClosure, "closing");
            var both = Task.WhenAll(reader, writer);
            if (await Task.WhenAny(both, Task.Delay(CloseGrace, time)) != both)
            {
                socket.Abort();
            }
            await both.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            connections.Unregister(connection);
            metrics.Ended();
            LogClosed(log, agentId, connection.CloseReason.Description);
        }
    }

    private async Task WriteAsync(WebSocket socket, AgentConnection connection)
    {
        try
        {
            await foreach (var message in connection.Outgoing.ReadAllAsync())
            {
                await socket.SendAsync(WsCodec.Encode(message), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                connection.CountOut();
                metrics.Sent(message);
            }
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                var (status, description) = connection.CloseReason;
                await socket.CloseOutputAsync(status, description, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The agent went away mid-send; RunAsync cleans up.
        }
    }

    private async Task ReadAsync(WebSocket socket, AgentConnection connection)
    {
        var buffer = new byte[16 * 1024];
        using var frame = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    connection.Close(WebSocketCloseStatus.NormalClosure, "closed by the agent");
                    return;
                }
                if (frame.Length + result.Count > MaxFrameBytes)
                {
                    Refuse(connection, DropReason.Oversized, WebSocketCloseStatus.MessageTooBig, $"frame larger than {MaxFrameBytes} bytes");
                    return;
                }
                frame.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    Refuse(connection, DropReason.Malformed, WebSocketCloseStatus.InvalidMessageType, "only text frames are accepted");
                    return;
                }
                var message = WsCodec.TryDecode(frame.GetBuffer().AsSpan(0, (int)frame.Length));
                frame.SetLength(0);
                if (message is null)
                {
                    Refuse(connection, DropReason.Malformed, WebSocketCloseStatus.InvalidPayloadData, "not a brokkr wire message");
                    return;
                }
                connection.CountIn();
                metrics.Received(message);
                await HandleAsync(connection.AgentId, message);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The socket failed or was aborted; RunAsync cleans up.
        }
    }

    private void Refuse(AgentConnection connection, string reason, WebSocketCloseStatus status, string description)
    {
        metrics.Dropped(reason);
        LogRefused(log, connection.AgentId, description);
        connection.Close(status, description);
    }

    /// <summary>
    /// Control uplinks (heartbeat, event, health) go the REST endpoints' way; telemetry goes to the ingest queue,
    /// never awaited: the receive loop does not wait on the database.
    /// </summary>
    private async Task HandleAsync(Guid agentId, WsMessage message)
    {
        if (StackTelemetry.TelemetryIngest.IsTelemetry(message))
        {
            telemetry.Accept(agentId, message);
            return;
        }
        await uplink.TryHandleAsync(agentId, message);
    }

    [LoggerMessage(LogLevel.Information, "Agent {AgentId} opened its channel")]
    private static partial void LogOpened(ILogger logger, Guid agentId);

    [LoggerMessage(LogLevel.Information, "Agent {AgentId} channel closed: {Reason}")]
    private static partial void LogClosed(ILogger logger, Guid agentId, string reason);

    [LoggerMessage(LogLevel.Warning, "Closing agent {AgentId}'s channel: {Reason}")]
    private static partial void LogRefused(ILogger logger, Guid agentId, string reason);
}
