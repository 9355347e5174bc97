namespace Brokkr.AppHost.Agent;

public static class AgentIdentityExtensions
{
    /// <summary>
    /// Gives the local agent its identity (run mode): created through the broker's API once the broker is ready and just
    /// before the agent starts, passed as <c>BROKKR__AGENT__PAK</c>, <c>__AGENT_NAME</c>, <c>__CLUSTER_NAME</c>. A
    /// deployment provisions its own, so none of this reaches the manifest.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithAgentIdentity(this IResourceBuilder<ProjectResource> agent,
        IResourceBuilder<ProjectResource> broker, string agentName = "local-agent", string clusterName = "local")
    {
        var builder = agent.ApplicationBuilder;
        if (!builder.ExecutionContext.IsRunMode)
        {
            return agent;
        }

        var file = Path.Combine(builder.Directory(), "agent", "identity.json");
        var identity = new AgentIdentity(broker.GetEndpoint("http"), file, agentName, clusterName);
        return agent
            .WaitFor(broker)
            .OnBeforeResourceStarted((_, _, ct) => identity.ProvisionAsync(builder.Configuration["AppHost:AdminPak"], ct))
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["BROKKR__AGENT__AGENT_NAME"] = identity.AgentName;
                context.EnvironmentVariables["BROKKR__AGENT__CLUSTER_NAME"] = identity.ClusterName;
                // Known once provisioned, just before the agent starts.
                context.EnvironmentVariables["BROKKR__AGENT__PAK"] = identity.Pak;
            });
    }
}
