using k8s;
using Brokkr.Agent.Kubernetes;

namespace Brokkr.Tests.Kubernetes;

/// <summary>Connections to a stand-in made directly, without a kubeconfig.</summary>
internal static class Connections
{
    public static KubernetesConnection To(Uri server, string? token = null, string? defaultNamespace = null) =>
        new(new KubernetesClientConfiguration { Host = server.AbsoluteUri, AccessToken = token, Namespace = defaultNamespace });

    public static KubernetesConnection To(KubernetesStandIn.KubernetesStandIn standIn, string? token = null) =>
        To(standIn.BaseAddress, token);
}
