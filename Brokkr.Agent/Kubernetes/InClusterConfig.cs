using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Authentication;

namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// The pod's service account: KUBERNETES_SERVICE_HOST/PORT plus the mounted token and CA, the token read by KubernetesClient's
/// <see cref="TokenFileAuth"/>. Not <see cref="KubernetesClientConfiguration.InClusterConfig"/>
/// itself: it reads the process environment and a fixed directory (settable only by the package's own tests), and
/// it takes the pod's namespace file for the default namespace, which is where the agent runs, not where tenants'
/// objects belong (upstream puts objects without a namespace into "default").
/// </summary>
public static class InClusterConfig
{
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    public static bool IsAvailable(Func<string, string?> environment) =>
        !string.IsNullOrEmpty(environment("KUBERNETES_SERVICE_HOST")) &&
        !string.IsNullOrEmpty(environment("KUBERNETES_SERVICE_PORT"));

    public static KubernetesConnection Load(Func<string, string?> environment, string directory = ServiceAccountDirectory)
    {
        var host = environment("KUBERNETES_SERVICE_HOST")
            ?? throw new InvalidOperationException("KUBERNETES_SERVICE_HOST is not set; not running in a cluster");
        var port = int.Parse(environment("KUBERNETES_SERVICE_PORT") ?? "443", System.Globalization.CultureInfo.InvariantCulture);
        var caPath = Path.Combine(directory, "ca.crt");
        var tokenPath = Path.Combine(directory, "token");
        return new KubernetesConnection(new KubernetesClientConfiguration
        {
            Host = new UriBuilder(Uri.UriSchemeHttps, host, port).Uri.AbsoluteUri,
            TokenProvider = new RenewableTokenProvider(() => new TokenFileAuth(tokenPath),
                $"cannot read the token file {tokenPath}"),
            SslCaCerts = File.Exists(caPath) ? LoadBundle(caPath) : null,
        }, "in-cluster service account");
    }

    private static X509Certificate2Collection LoadBundle(string path)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPemFile(path);
        return bundle;
    }
}
