using System.Security.Cryptography.X509Certificates;
using k8s;

namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// Hands a configuration's certificate authorities to the TLS handshake as its only trust roots, instead of leaving
/// them to KubernetesClient: the package's validation callback accepts any certificate chained to the CA whatever name
/// it carries (it ignores a name mismatch once the chain needed the custom roots), so one cluster's certificate would
/// pass for another's address. With the roots in the chain policy, .NET checks the chain and the name (the URL's host,
/// or tls-server-name, which the request's Host header carries) as kubectl does.
/// </summary>
internal static class CertificateAuthorityTrust
{
    public static void Apply(KubernetesClientConfiguration configuration)
    {
        if (configuration.SkipTlsVerify || configuration.SslCaCerts is not { Count: > 0 } authorities)
        {
            return;
        }

        configuration.SslCaCerts = null;
        var setup = configuration.FirstMessageHandlerSetup;
        configuration.FirstMessageHandlerSetup = handler =>
        {
            setup?.Invoke(handler);
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(authorities);
            handler.SslOptions.CertificateChainPolicy = policy;
        };
    }
}
