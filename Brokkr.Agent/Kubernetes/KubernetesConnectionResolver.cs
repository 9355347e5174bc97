namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// Chooses the agent's Kubernetes credentials (brokkr-core.md §7.1 step 6): the kubeconfig when it exists and loads,
/// otherwise the pod's in-cluster service account. When neither works the error names both, so an operator sees why.
/// </summary>
public static class KubernetesConnectionResolver
{
    public static KubernetesConnection Resolve(string kubeconfigPath, Func<string, string?> environment,
        string serviceAccountDirectory = InClusterConfig.ServiceAccountDirectory)
    {
        string kubeconfigProblem;
        if (File.Exists(kubeconfigPath))
        {
            try
            {
                return KubeconfigLoader.Load(kubeconfigPath);
            }
            catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException
                                          or FormatException or UriFormatException or InvalidOperationException
                                          or System.Security.Cryptography.CryptographicException or YamlDotNet.Core.YamlException)
            {
                kubeconfigProblem = $"kubeconfig {kubeconfigPath} is unusable: {e.Message}";
            }
        }
        else
        {
            kubeconfigProblem = $"no kubeconfig at {kubeconfigPath}";
        }

        if (InClusterConfig.IsAvailable(environment))
        {
            return InClusterConfig.Load(environment, serviceAccountDirectory);
        }

        throw new InvalidOperationException(
            $"{kubeconfigProblem}, and not running in a cluster (KUBERNETES_SERVICE_HOST/PORT unset)");
    }
}
