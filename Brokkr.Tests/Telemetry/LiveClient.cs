using System.Net;
using System.Net.WebSockets;
using System.Text;
using Brokkr.Wire;

namespace Brokkr.Tests.Telemetry;

/// <summary>A live-tail consumer socket: with the PAK as a header, or as a browser sends it, in a subprotocol.</summary>
internal sealed class LiveClient(ClientWebSocket socket) : IAsyncDisposable
{
    public ClientWebSocket Socket { get; } = socket;

    public static Uri LiveUri(Uri brokerBase, string path) =>
        new UriBuilder(brokerBase) { Scheme = brokerBase.Scheme == "https" ? "wss" : "ws", Path = "/api/v1" + path }.Uri;

    public static async Task<LiveClient> ConnectAsync(Uri brokerBase, string path, string pak, bool asBrowser = false)
    {
        var socket = Create(pak, asBrowser);
        await socket.ConnectAsync(LiveUri(brokerBase, path), CancellationToken.None);
        return new LiveClient(socket);
    }

    public static async Task<HttpStatusCode> RefusedStatusAsync(Uri brokerBase, string path, string pak)
    {
        using var socket = Create(pak, asBrowser: false);
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(LiveUri(brokerBase, path), CancellationToken.None));
        return socket.HttpStatusCode;
    }

    private static ClientWebSocket Create(string pak, bool asBrowser)
    {
        var socket = new ClientWebSocket();
        if (asBrowser)
        {
            socket.Options.AddSubProtocol("brokkr.v1");
            socket.Options.AddSubProtocol("brokkr.pak." + pak);
        }
        else
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {pak}");
        }
        return socket;
    }

    /// <summary>The next frame, decoded; null when the broker closed the socket or nothing came in time.</summary>
    public async Task<WsMessage?> ReceiveAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        using var frame = new MemoryStream();
        try
        {
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
                    return WsCodec.TryDecode(frame.ToArray()) ?? throw new InvalidOperationException(
                        "broker sent an undecodable frame: " + Encoding.UTF8.GetString(frame.ToArray()));
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Socket.Abort();
        Socket.Dispose();
        await Task.CompletedTask;
    }
}
