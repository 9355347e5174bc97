using k8s;

namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// Where the API server is and how to authenticate: KubernetesClient's configuration (TLS, client certificates, tokens,
/// exec and OIDC credential providers), loaded from a kubeconfig or the in-cluster service account.
/// </summary>
public sealed class KubernetesConnection
{
    public KubernetesConnection(KubernetesClientConfiguration configuration, string source = "explicit")
    {
        CertificateAuthorityTrust.Apply(configuration);
        Configuration = configuration;
        Server = new Uri(configuration.Host);
        Source = source;
    }

    public KubernetesClientConfiguration Configuration { get; }

    public Uri Server { get; }

    /// <summary>
    /// Where namespaced objects that name no namespace go when agent.watch_namespace is unset: the kubeconfig
    /// context's namespace (kubernetes-protocol.md §4.1), else "default".
    /// </summary>
    public string DefaultNamespace => string.IsNullOrEmpty(Configuration.Namespace) ? "default" : Configuration.Namespace;

    public string Source { get; }
}
