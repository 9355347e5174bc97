using System.Net.WebSockets;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Wire;

namespace Brokkr.Broker.StackTelemetry;

/// <summary>
/// The read-only live streams (WebSocket upgrades, upstream's shapes): <c>GET /stacks/{id}/live</c> — the stack's
/// <c>k8s_event</c>, <c>pod_log_line</c> and <c>log_gap</c> frames as they are ingested, for the admin or the stack's
/// generator — and <c>GET /fleet/live</c> — <c>fleet_update</c> records, admin only. Authentication is the API's,
/// before the upgrade; a browser may offer the PAK as the <c>brokkr.pak.&lt;PAK&gt;</c> subprotocol
/// (<see cref="LivePakSubprotocol"/>). Frames from the client are read and ignored.
/// </summary>
public static class LiveTailApi
{
    public static RouteGroupBuilder MapLiveTailApi(this RouteGroupBuilder api)
    {
        api.MapGet("/stacks/{id}/live", StackLive).WithTags("stack-telemetry").ExcludeFromDescription();
        api.MapGet("/fleet/live", FleetLive).WithTags("fleet").ExcludeFromDescription();
        return api;
    }

    // How long a closing consumer may take to answer the close frame before its socket is aborted.
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private static async Task StackLive(Guid id, HttpContext context, Caller caller, BrokkrDbContext db, LiveHub hub,
        IHostApplicationLifetime lifetime)
    {
        if (caller.IsAgent)
        {
            throw ApiException.Forbidden("telemetry_read_denied", "agents cannot read stack telemetry");
        }
        await db.OwnedStackAsync(id, caller);
        await ServeAsync(context, hub, lifetime, id);
    }

    private static async Task FleetLive(HttpContext context, Caller caller, LiveHub hub, IHostApplicationLifetime lifetime)
    {
        caller.RequireAdmin();
        await ServeAsync(context, hub, lifetime, stackId: null);
    }

    private static async Task ServeAsync(HttpContext context, LiveHub hub, IHostApplicationLifetime lifetime, Guid? stackId)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw ApiException.BadRequest("websocket_required", "this endpoint only accepts a WebSocket upgrade");
        }
        var marker = context.WebSockets.WebSocketRequestedProtocols.Contains(LivePakSubprotocol.Marker) ? LivePakSubprotocol.Marker : null;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(marker);
        var subscriber = hub.Subscribe(stackId);
        // A stopping broker ends the stream with a close frame rather than holding shutdown open.
        using var stopping = lifetime.ApplicationStopping.Register(subscriber.Complete);
        try
        {
            var reader = DrainInboundAsync(socket, subscriber);
            await WriteAsync(socket, subscriber, context.RequestAborted);
            if (await Task.WhenAny(reader, Task.Delay(CloseGrace)) != reader)
            {
                socket.Abort();
            }
            await reader;
        }
        finally
        {
            hub.Unsubscribe(subscriber);
        }
    }

    private static async Task WriteAsync(WebSocket socket, LiveSubscriber subscriber, CancellationToken aborted)
    {
        try
        {
            await foreach (var message in subscriber.Outgoing.ReadAllAsync(aborted))
            {
                if (subscriber.StackId is { } stack && subscriber.TakeMissed() is var missed and > 0)
                {
                    await SendAsync(socket, new LogGapMessage(new WireLogGap(Guid.Empty, stack, DateTime.UtcNow, (ulong)missed, "buffer_full")));
                }
                await SendAsync(socket, message);
            }
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closing", CancellationToken.None);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The consumer went away; ServeAsync unsubscribes.
        }
    }

    private static Task SendAsync(WebSocket socket, WsMessage message) =>
        socket.SendAsync(WsCodec.Encode(message), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>Reads (and discards) until the consumer closes, then ends the subscription so the writer stops.</summary>
    private static async Task DrainInboundAsync(WebSocket socket, LiveSubscriber subscriber)
    {
        var buffer = new byte[1024];
        try
        {
            while ((await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            subscriber.Complete();
        }
    }
}
