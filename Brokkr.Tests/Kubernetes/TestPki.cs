using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Brokkr.Tests.Kubernetes;

/// <summary>A throwaway certificate authority and the server and client certificates it issues, made in the test.</summary>
internal sealed class TestPki : IDisposable
{
    private readonly RSA _caKey = RSA.Create(2048);

    public TestPki(string name)
    {
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(2));
    }

    /// <summary>The CA certificate (with its key, so it can sign).</summary>
    public X509Certificate2 Authority { get; }

    public string AuthorityPem => Authority.ExportCertificatePem();

    /// <summary>A TLS server certificate for these DNS names and IP addresses, loaded with its key as Kestrel needs it.</summary>
    public X509Certificate2 IssueServer(string[] dnsNames, IPAddress[] addresses)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=kubernetes", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames)
        {
            names.AddDnsName(dns);
        }

        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = Sign(request).CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(issued.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A client certificate (PEM) with its key in the given encoding: PKCS#1 RSA, SEC1 EC or PKCS#8.</summary>
    public (string CertificatePem, string KeyPem) IssueClient(string user, ClientKeyFormat format)
    {
        using AsymmetricAlgorithm key = format == ClientKeyFormat.Sec1Ec ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        var request = key is ECDsa ec
            ? new CertificateRequest($"CN={user}", ec, HashAlgorithmName.SHA256)
            : new CertificateRequest($"CN={user}", (RSA)key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var certificate = Sign(request);
        var keyPem = format switch
        {
            ClientKeyFormat.Pkcs1Rsa => ((RSA)key).ExportRSAPrivateKeyPem(),
            ClientKeyFormat.Sec1Ec => ((ECDsa)key).ExportECPrivateKeyPem(),
            _ => key.ExportPkcs8PrivateKeyPem(),
        };
        return (certificate.ExportCertificatePem(), keyPem);
    }

    public void Dispose()
    {
        Authority.Dispose();
        _caKey.Dispose();
    }

    private X509Certificate2 Sign(CertificateRequest request)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Authority, true, false));
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7f;
        // The CA's key signs whatever key type the request carries (an EC client under an RSA CA).
        return request.Create(Authority.SubjectName, X509SignatureGenerator.CreateForRSA(_caKey, RSASignaturePadding.Pkcs1),
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
    }
}

public enum ClientKeyFormat
{
    Pkcs1Rsa,
    Sec1Ec,
    Pkcs8,
}
