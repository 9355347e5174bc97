using Brokkr.Broker.Authentication;
using Brokkr.Broker.Errors;

namespace Brokkr.Broker.AgentChannel;

/// <summary>
/// <c>GET /internal/ws/agent</c>: the agent channel's upgrade. Not part of the v1 contract (upstream keeps it out of
/// its OpenAPI too). Authentication runs before the upgrade, in <see cref="AuthenticationMiddleware"/>: no or a wrong
/// PAK is 401 and no socket is opened; an admin or generator PAK is 403.
/// </summary>
public static class AgentChannelEndpoint
{
    public const string Path = "/internal/ws/agent";

    /// <summary>Server pings at this interval; an agent that does not answer within the timeout is disconnected.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(15);

    public static WebApplication MapAgentChannel(this WebApplication app)
    {
        app.MapGet(Path, AcceptAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task AcceptAsync(HttpContext context, Caller caller, AgentChannelSession session)
    {
        if (!caller.IsAgent || caller.AgentId is not { } agentId)
        {
            throw ApiException.Forbidden("agent_pak_required", "the agent channel accepts agent PAKs only");
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw ApiException.BadRequest("websocket_required", "this endpoint only accepts a WebSocket upgrade");
        }
        // The middleware accepted this very header; its hash is what a rotation or deletion revokes.
        var pakHash = AuthenticationMiddleware.ReadPak(context.Request).Pak is { } pak ? PakFormat.HashOf(pak) : null;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await session.RunAsync(socket, agentId, pakHash);
    }
}
