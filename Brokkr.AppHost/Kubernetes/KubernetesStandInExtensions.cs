namespace Brokkr.AppHost.Kubernetes;

/// <summary>The Kubernetes API stand-in (project Brokkr.KubernetesStandIn), for running the agent without a cluster.</summary>
public static class KubernetesStandInExtensions
{
    public static IResourceBuilder<ProjectResource> AddKubernetesStandIn(this IDistributedApplicationBuilder builder, [ResourceName] string name) =>
        builder.AddProject<Projects.Brokkr_KubernetesStandIn>(name, launchProfileName: null)
            .WithServiceHttpEndpoint(6443)
            .WithHttpHealthCheck("/version");

    /// <summary>Points the agent at <paramref name="kubernetes"/> through a kubeconfig written into the data folder.</summary>
    public static IResourceBuilder<ProjectResource> WithKubeconfigFor(this IResourceBuilder<ProjectResource> agent,
        IResourceBuilder<ProjectResource> kubernetes)
    {
        var server = kubernetes.GetEndpoint("http");
        var path = Path.Combine(agent.ApplicationBuilder.Directory(), kubernetes.Resource.Name, "kubeconfig");
        return agent
            .OnBeforeResourceStarted((_, _, ct) => Kubeconfig.WriteAsync(path, server.Url, ct))
            .WithEnvironment("BROKKR__AGENT__KUBECONFIG_PATH", path)
            .WithEnvironment("KUBECONFIG", path);
    }
}
