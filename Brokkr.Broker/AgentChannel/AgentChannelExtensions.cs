namespace Brokkr.Broker.AgentChannel;

public static class AgentChannelExtensions
{
    public static IServiceCollection AddAgentChannel(this IServiceCollection services)
    {
        services.AddSingleton<ChannelMetrics>();
        services.AddSingleton<AgentConnections>();
        services.AddSingleton<AgentChannelSession>();
        return services;
    }
}
