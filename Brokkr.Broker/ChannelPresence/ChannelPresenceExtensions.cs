namespace Brokkr.Broker.ChannelPresence;

public static class ChannelPresenceExtensions
{
    /// <summary>Register after the database initializer: the recorder writes to tables its migrations create.</summary>
    public static IServiceCollection AddChannelPresence(this IServiceCollection services)
    {
        services.AddSingleton<ChannelPresenceRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<ChannelPresenceRecorder>());
        return services;
    }
}
