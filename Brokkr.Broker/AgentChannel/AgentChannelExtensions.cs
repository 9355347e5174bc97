namespace Brokkr.Broker.AgentChannel;

public static class AgentChannelExtensions
{
    public static IServiceCollection AddAgentChannel(this IServiceCollection services)
    {
        services.AddSingleton<ChannelMetrics>();
        services.AddSingleton<AgentConnections>();
        services.AddSingleton<ChannelHealthWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<ChannelHealthWriter>());
        services.AddSingleton<ChannelUplink>();
        services.AddSingleton<AgentChannelSession>();
        services.AddSingleton<ChangeFanOut>();
        services.AddHostedService(sp => sp.GetRequiredService<ChangeFanOut>());
        return services;
    }
}
