using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.Tests.Kubernetes;

/// <summary>
/// An identity provider's token endpoint over loopback HTTP: answers a refresh_token grant with a new id_token, and
/// remembers which refresh tokens it was given. (KubernetesClient posts the grant to idp-issuer-url itself.)
/// </summary>
internal sealed class OidcIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _refreshTokens = new();

    private OidcIssuer(string idToken)
    {
        IdToken = idToken;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            _refreshTokens.Enqueue(form["refresh_token"].ToString());
            return form["grant_type"] == "refresh_token"
                ? Results.Json(new Dictionary<string, object> { ["id_token"] = IdToken, ["refresh_token"] = "r2", ["expires_in"] = 3600 })
                : Results.BadRequest();
        });
    }

    public string IdToken { get; }

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<string> RefreshTokensSeen => [.. _refreshTokens];

    public static async Task<OidcIssuer> StartAsync(string idToken)
    {
        var issuer = new OidcIssuer(idToken);
        await issuer._app.StartAsync();
        issuer.Url = new Uri(issuer._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return issuer;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
