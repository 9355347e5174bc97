using System.Diagnostics;
using System.Net.WebSockets;
using Brokkr.Wire;

namespace Brokkr.Benchmarks;

/// <summary>
/// One benchmark agent's channel socket: reads frames until it is closed and records, per pushed stack, when the
/// first <c>stack_changed</c> for it arrived (a Stopwatch timestamp). Nothing else is done with the frames.
/// </summary>
public sealed class ChannelConnection(FleetAgent agent, ClientWebSocket socket) : IAsyncDisposable
{
    private readonly Dictionary<Guid, long> _arrivals = [];
    private Task _reading = Task.CompletedTask;

    public FleetAgent Agent { get; } = agent;

    /// <summary>Opens the socket with the agent's PAK; null (and the reason) when the upgrade failed.</summary>
    public static async Task<(ChannelConnection? Connection, string? Failure)> OpenAsync(Uri channel, FleetAgent agent)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {agent.Pak}");
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(channel, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            socket.Dispose();
            return (null, e.Message);
        }
        var connection = new ChannelConnection(agent, socket);
        connection._reading = Task.Run(connection.ReadAsync);
        return (connection, null);
    }

    public bool IsOpen => socket.State == WebSocketState.Open;

    /// <summary>Sends one text frame; false when the socket is gone. One sender at a time per connection.</summary>
    public async Task<bool> TrySendAsync(byte[] frame)
    {
        try
        {
            await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>When the push for <paramref name="stackId"/> arrived; null if it has not.</summary>
    public long? ArrivalOf(Guid stackId)
    {
        lock (_arrivals)
        {
            return _arrivals.TryGetValue(stackId, out var at) ? at : null;
        }
    }

    /// <summary>Forgets earlier arrivals for the stack, before it is changed again.</summary>
    public void Forget(Guid stackId)
    {
        lock (_arrivals)
        {
            _arrivals.Remove(stackId);
        }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        using var frame = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                frame.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }
                var arrived = Stopwatch.GetTimestamp();
                if (WsCodec.TryDecode(frame.GetBuffer().AsSpan(0, (int)frame.Length)) is StackChangedMessage { Body.Id: var stackId })
                {
                    lock (_arrivals)
                    {
                        _arrivals.TryAdd(stackId, arrived);
                    }
                }
                frame.SetLength(0);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Closed under us: IsOpen says so.
        }
    }

    public async ValueTask DisposeAsync()
    {
        socket.Abort();
        await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        socket.Dispose();
    }
}
