using System.Security.Cryptography.X509Certificates;

namespace Brokkr.KubernetesStandIn;

/// <summary>How to start the stand-in. Defaults suit tests: loopback, an ephemeral port, the embedded recordings.</summary>
public sealed class StandInOptions
{
    /// <summary>Listen address; port 0 picks a free one (read <see cref="KubernetesStandIn.BaseAddress"/>).</summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>
    /// A folder of recorded responses to serve instead of the embedded ones (<see cref="Fixtures.RecordedFixtures"/>).
    /// </summary>
    public string? FixturesPath { get; set; }

    /// <summary>When set, requests must carry <c>Authorization: Bearer</c> this token (401 Status otherwise).</summary>
    public string? Token { get; set; }

    public TimeSpan CrdEstablishDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Start with Shipwright's Build and BuildRun CRDs installed (<see cref="Storage.BuildRunController"/>).</summary>
    public bool Shipwright { get; set; }

    /// <summary>Serve HTTPS with this certificate (with its private key); give an https:// <see cref="Url"/>.</summary>
    public X509Certificate2? ServerCertificate { get; set; }

    /// <summary>With HTTPS: require a client certificate issued by this CA, as an API server with client-cert auth does.</summary>
    public X509Certificate2? ClientCertificateAuthority { get; set; }
}
