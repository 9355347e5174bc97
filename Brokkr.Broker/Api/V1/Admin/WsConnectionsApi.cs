using Brokkr.Broker.Authentication;
using Brokkr.Broker.AgentChannel;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Brokkr.Broker.Api.V1.Admin;

public sealed record WsConnectionInfo(Guid AgentId, DateTime ConnectedSince, long MessagesIn, long MessagesOut);

/// <param name="LiveSubscribers">Stack live-tail subscribers on this replica, across all stacks.</param>
public sealed record WsConnectionsResponse(int ConnectedAgents, List<WsConnectionInfo> Connections, int LiveSubscribers);

/// <summary><c>GET /admin/ws/connections</c> (admin only): the agent channels open on the replica that answers.</summary>
public static class WsConnectionsApi
{
    public static RouteGroupBuilder MapWsConnectionsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/admin/ws/connections", List).WithTags("admin");
        return api;
    }

    private static Ok<WsConnectionsResponse> List(Caller caller, AgentConnections connections, StackTelemetry.LiveHub live)
    {
        caller.RequireAdmin();
        var open = connections.Snapshot()
            .Select(c => new WsConnectionInfo(c.AgentId, c.ConnectedSince, c.MessagesIn, c.MessagesOut)).ToList();
        return TypedResults.Ok(new WsConnectionsResponse(open.Count, open, live.StackSubscriberCount));
    }
}
