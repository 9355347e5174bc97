using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Brokkr.KubernetesStandIn;

/// <summary>HTTPS for the stand-in, so kubeconfig TLS settings (CA, client certificate, server name) can be tested.</summary>
internal static class StandInTls
{
    public static void Configure(IWebHostBuilder webHost, X509Certificate2 certificate, X509Certificate2? clientAuthority)
    {
        // The slim builder leaves HTTPS out unless asked for.
        webHost.UseKestrelHttpsConfiguration();
        webHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
        {
            https.ServerCertificate = certificate;
            if (clientAuthority is not null)
            {
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (client, _, _) => IssuedBy(client, clientAuthority);
            }
        }));
    }

    private static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        return chain.Build(certificate);
    }
}
