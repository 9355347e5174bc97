using System.Net.WebSockets;
using Brokkr.Wire;

namespace Brokkr.Agent.Channel;

/// <summary>
/// Writes frames on one open channel socket, one at a time (a WebSocket takes a single sender). A frame that cannot be
/// written — socket no longer open, another send holding it past the timeout, or the write failing — is reported as
/// not sent, so the caller takes the REST path instead and nothing is lost.
/// </summary>
internal sealed class ChannelSender(WebSocket socket)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<bool> TrySendAsync(WsMessage message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (socket.State != WebSocketState.Open)
        {
            return false;
        }
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await _gate.WaitAsync(bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false; // the socket is busy (a stalled send): REST is quicker
        }
        try
        {
            // A cancelled send aborts the socket; the receive loop then sees it end and reconnects.
            await socket.SendAsync(WsCodec.Encode(message), WebSocketMessageType.Text, endOfMessage: true, bounded.Token);
            return true;
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or InvalidOperationException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }
}
