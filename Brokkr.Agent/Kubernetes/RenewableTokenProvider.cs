using System.Net.Http.Headers;
using k8s.Authentication;
using k8s.Exceptions;

namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// One of KubernetesClient's token providers (a token file, an exec plugin) that can be started afresh when the API
/// server rejects its token: the package re-reads a token file only once a minute and re-runs an exec plugin only at
/// its stated expiry, while kubectl also does both after a 401 (a token rotated or revoked early). A provider that
/// cannot produce a token fails as a rejected credential, so the heartbeat reports Kubernetes unreachable.
/// </summary>
/// <param name="failure">What went wrong when no token comes, e.g. "cannot read the token file /path".</param>
internal sealed class RenewableTokenProvider(Func<ITokenProvider> create, string failure) : ITokenProvider
{
    private volatile ITokenProvider _current = create();

    public void Renew() => _current = create();

    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _current.GetAuthenticationHeaderAsync(cancellationToken);
        }
        // TokenFileAuth's read failure arrives wrapped in an AggregateException (it reads through ContinueWith).
        catch (Exception e) when ((e is AggregateException ? e.GetBaseException() : e)
                                  is IOException or UnauthorizedAccessException or KubeConfigException)
        {
            var cause = e is AggregateException ? e.GetBaseException() : e;
            throw new KubernetesAccessDeniedException(System.Net.HttpStatusCode.Unauthorized, null, $"{failure}: {cause.Message}");
        }
    }
}
