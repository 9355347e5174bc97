using System.Net;
using System.Net.WebSockets;
using System.Text;
using Brokkr.Tests.Broker;
using Brokkr.Wire;

namespace Brokkr.Tests.Channel;

/// <summary>A raw agent-channel socket for tests: connects with a PAK, sends and receives wire frames.</summary>
internal sealed class ChannelClient(ClientWebSocket socket) : IAsyncDisposable
{
    public ClientWebSocket Socket { get; } = socket;

    public static Uri ChannelUri(Uri brokerBase) =>
        new UriBuilder(brokerBase) { Scheme = brokerBase.Scheme == "https" ? "wss" : "ws", Path = "/internal/ws/agent" }.Uri;

    public static async Task<ChannelClient> ConnectAsync(Uri brokerBase, string pak)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {pak}");
        await socket.ConnectAsync(ChannelUri(brokerBase), CancellationToken.None);
        return new ChannelClient(socket);
    }

    /// <summary>Connects as the agent and waits until the broker lists its channel, so pushes can reach it.</summary>
    public static async Task<ChannelClient> ConnectListedAsync(Uri brokerBase, HttpClient admin, Tenant agent)
    {
        var client = await ConnectAsync(brokerBase, agent.Pak);
        await ChannelAssert.ListedAsync(admin, agent.Id);
        return client;
    }

    /// <summary>The status the broker answered an upgrade attempt with that it refused.</summary>
    public static async Task<HttpStatusCode> RefusedStatusAsync(Uri brokerBase, string? pak)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (pak is not null)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {pak}");
        }
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(ChannelUri(brokerBase), CancellationToken.None));
        return socket.HttpStatusCode;
    }

    public Task SendAsync(WsMessage message) => SendTextAsync(Encoding.UTF8.GetString(WsCodec.Encode(message)));

    public Task SendTextAsync(string text) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next frame, decoded; null when the broker closed the socket instead.</summary>
    public async Task<WsMessage?> ReceiveAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        using var frame = new MemoryStream();
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer.AsMemory(), cancel.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            frame.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return WsCodec.TryDecode(frame.ToArray()) ?? throw new InvalidOperationException("broker sent an undecodable frame");
            }
        }
    }

    /// <summary>Reads (and discards) frames until the broker closes the socket; its close status.</summary>
    public async Task<WebSocketCloseStatus?> ClosedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (await ReceiveAsync(deadline - DateTime.UtcNow) is not null)
        {
        }
        return Socket.CloseStatus;
    }

    public async ValueTask DisposeAsync()
    {
        Socket.Abort();
        Socket.Dispose();
        await Task.CompletedTask;
    }
}
