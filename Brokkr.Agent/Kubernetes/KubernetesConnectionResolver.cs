namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// Chooses the agent's Kubernetes credentials (brokkr-core.md §7.1 step 6): the kubeconfig when it exists and loads,
/// otherwise the pod's in-cluster service account. When neither works the error names both, so an operator sees why.
/// </summary>
public static class KubernetesConnectionResolver
{
    /// <param name="kubeconfigPaths">Files merged like a KUBECONFIG list; missing ones are skipped, as kubectl does.</param>
    public static KubernetesConnection Resolve(IReadOnlyList<string> kubeconfigPaths, Func<string, string?> environment,
        string serviceAccountDirectory = InClusterConfig.ServiceAccountDirectory)
    {
        string kubeconfigProblem;
        var existing = kubeconfigPaths.Where(File.Exists).ToList();
        var kubeconfigPath = string.Join(Path.PathSeparator, kubeconfigPaths);
        if (existing.Count > 0)
        {
            try
            {
                return KubeconfigLoader.Load(existing);
            }
            catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException
                                          or FormatException or UriFormatException or InvalidOperationException
                                          or System.Security.Cryptography.CryptographicException or YamlDotNet.Core.YamlException
                                          or k8s.Exceptions.KubeConfigException)
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
