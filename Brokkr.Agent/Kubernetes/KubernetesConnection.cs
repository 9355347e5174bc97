using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// Where the API server is and how to authenticate: the result of loading a kubeconfig or the in-cluster
/// service-account files. A token file is re-read (at most once a minute, and after a 401) because
/// bound service-account tokens expire.
/// </summary>
public sealed class KubernetesConnection
{
    public required Uri Server { get; init; }
    public string? Token { get; init; }
    public string? TokenFile { get; init; }
    public X509Certificate2? ClientCertificate { get; init; }
    public X509Certificate2Collection? CertificateAuthorities { get; init; }
    public bool InsecureSkipTlsVerify { get; init; }
    public string? TlsServerName { get; init; }
    /// <summary>
    /// Where namespaced objects that name no namespace go when agent.watch_namespace is unset: the kubeconfig
    /// context's namespace (kubernetes-protocol.md §4.1), else "default".
    /// </summary>
    public string DefaultNamespace { get; init; } = "default";
    public string Source { get; init; } = "explicit";

    public HttpMessageHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (Server.Scheme != Uri.UriSchemeHttps)
        {
            return handler;
        }

        var ssl = new SslClientAuthenticationOptions();
        if (ClientCertificate is not null)
        {
            ssl.ClientCertificates = [ClientCertificate];
        }

        if (InsecureSkipTlsVerify)
        {
            ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (CertificateAuthorities is { Count: > 0 } authorities)
        {
            // Trust exactly the configured bundle, as kubectl does, not the machine's store.
            ssl.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            ssl.CertificateChainPolicy.CustomTrustStore.AddRange(authorities);
        }

        if (!InsecureSkipTlsVerify && TlsServerName is { } serverName)
        {
            // The handler checks the certificate against the URL's host whatever TargetHost says, so the name check
            // is ours: the chain as validated (bundle or system trust), and tls-server-name instead of the host.
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None
                && certificate is X509Certificate2 server && server.MatchesHostname(serverName);
        }

        handler.SslOptions = ssl;
        return handler;
    }
}
