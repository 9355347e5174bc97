namespace Brokkr.Broker.StackTelemetry;

/// <summary>
/// Browser WebSockets cannot set headers, so a live-tail client may offer its PAK as a subprotocol
/// (<c>Sec-WebSocket-Protocol: brokkr.pak.&lt;PAK&gt;, brokkr.v1</c>, upstream's convention). On the live routes only,
/// and only when no <c>Authorization</c> header is present, the PAK is lifted into one before authentication; the
/// upgrade echoes only the non-secret <see cref="Marker"/>, never the PAK.
/// </summary>
public static class LivePakSubprotocol
{
    public const string Prefix = "brokkr.pak.";
    public const string Marker = "brokkr.v1";

    public static IApplicationBuilder UseLivePakSubprotocol(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (IsLivePath(context.Request.Path) && context.Request.Headers.Authorization.Count == 0
                && context.Request.Headers.SecWebSocketProtocol.SelectMany(v => (v ?? "").Split(','))
                    .Select(p => p.Trim()).FirstOrDefault(p => p.StartsWith(Prefix, StringComparison.Ordinal)) is { } offered)
            {
                context.Request.Headers.Authorization = $"Bearer {offered[Prefix.Length..]}";
            }
            await next(context);
        });

    private static bool IsLivePath(PathString path) =>
        path.StartsWithSegments("/api/v1/fleet/live") || (path.StartsWithSegments("/api/v1/stacks") && path.Value!.EndsWith("/live", StringComparison.Ordinal));
}
