using System.Net;
using System.Net.WebSockets;
using Brokkr.Tests.Channel;

namespace Brokkr.Tests.Telemetry;

/// <summary>Live-tail consumer sockets: the PAK as a header, or as a browser sends it, in a subprotocol.</summary>
internal static class LiveClient
{
    public static Uri LiveUri(Uri brokerBase, string path) =>
        new UriBuilder(brokerBase) { Scheme = brokerBase.Scheme == "https" ? "wss" : "ws", Path = "/api/v1" + path }.Uri;

    /// <summary>A connected consumer; its frames are read like an agent channel's.</summary>
    public static async Task<ChannelClient> ConnectAsync(Uri brokerBase, string path, string pak, bool asBrowser = false)
    {
        var socket = Create(pak, asBrowser);
        await socket.ConnectAsync(LiveUri(brokerBase, path), CancellationToken.None);
        return new ChannelClient(socket);
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
}
