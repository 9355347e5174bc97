using System.Security.Cryptography.X509Certificates;

namespace Brokkr.Agent.Kubernetes;

/// <summary>The pod's service account: KUBERNETES_SERVICE_HOST/PORT plus the mounted token and CA.</summary>
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
        var port = environment("KUBERNETES_SERVICE_PORT") ?? "443";
        if (host.Contains(':'))
        {
            host = $"[{host}]";
        }

        var caPath = Path.Combine(directory, "ca.crt");
        X509Certificate2Collection? ca = null;
        if (File.Exists(caPath))
        {
            ca = [];
            ca.ImportFromPemFile(caPath);
        }

        return new KubernetesConnection
        {
            Server = new Uri($"https://{host}:{port}"),
            TokenFile = Path.Combine(directory, "token"),
            CertificateAuthorities = ca,
            // Not the pod's namespace (the service account's "namespace" file): that is where the agent runs, not
            // where tenants' objects belong; upstream also puts objects without a namespace into "default".
            Source = "in-cluster service account",
        };
    }
}
