using Brokkr.AppHost.Hosting;

namespace Brokkr.AppHost.Brokkr;

/// <summary>Run-mode wiring particular to Brokkr: the agent's credentials and its Kubernetes API.</summary>
internal static class BrokkrResourceExtensions
{
    /// <summary>
    /// Gives the agent its identity (run mode): created through the broker's API before the agent starts, passed as
    /// <c>BROKKR__AGENT__PAK</c>, <c>__AGENT_NAME</c>, <c>__CLUSTER_NAME</c>. A deployment provisions its own.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithAgentIdentity(this IResourceBuilder<ProjectResource> agent,
        IResourceBuilder<ProjectResource> broker, string agentName = "local-agent", string clusterName = "local")
    {
        var identity = new AgentIdentity(broker.GetEndpoint("http"), agentName, clusterName);
        return agent
            .OnBeforeResourceStarted(identity.ProvisionAsync)
            .WithEnvironment(context =>
            {
                if (context.ExecutionContext.IsRunMode)
                {
                    context.EnvironmentVariables["BROKKR__AGENT__AGENT_NAME"] = identity.AgentName;
                    context.EnvironmentVariables["BROKKR__AGENT__CLUSTER_NAME"] = identity.ClusterName;
                    // Known once provisioned, just before the agent starts.
                    if (identity.Pak.Length > 0)
                    {
                        context.EnvironmentVariables["BROKKR__AGENT__PAK"] = identity.Pak;
                    }
                }
            });
    }

    /// <summary>The Kubernetes API stand-in (project Brokkr.KubernetesStandIn), for running without a cluster.</summary>
    public static IResourceBuilder<ProjectResource> AddKubernetesStandIn(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddProject(name, "../Brokkr.KubernetesStandIn/Brokkr.KubernetesStandIn.csproj")
            .WithHttpEndpoint(targetPort: 6443)
            .WithHttpHealthCheck("/version");

    /// <summary>Points the agent at <paramref name="kubernetes"/> through a kubeconfig written beside the run's data.</summary>
    public static IResourceBuilder<ProjectResource> WithKubeconfigFor(this IResourceBuilder<ProjectResource> agent,
        IResourceBuilder<ProjectResource> kubernetes)
    {
        var server = kubernetes.GetEndpoint("http");
        string? path = null;
        return agent
            .OnBeforeResourceStarted(async (context, cancellationToken) =>
                path = await Kubeconfig.WriteAsync(Path.Combine(context.DataDirectory, kubernetes.Resource.Name), server.Url, cancellationToken))
            .WithEnvironment(context =>
            {
                if (context.ExecutionContext.IsRunMode && path is not null)
                {
                    context.EnvironmentVariables["BROKKR__AGENT__KUBECONFIG_PATH"] = path;
                    context.EnvironmentVariables["KUBECONFIG"] = path;
                }
            });
    }
}
