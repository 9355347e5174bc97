namespace Brokkr.Broker.StackTelemetry;

public static class StackTelemetryExtensions
{
    public static IServiceCollection AddStackTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<TelemetryOptions>(configuration.GetSection(TelemetryOptions.Section));
        services.Configure<FleetLiveOptions>(configuration.GetSection(TelemetryOptions.Section));
        services.AddSingleton<TelemetryQueue>();
        services.AddSingleton<TelemetryMetrics>();
        services.AddSingleton<TelemetryIngest>();
        services.AddSingleton<StackReporters>();
        services.AddSingleton<LiveHub>();
        services.AddSingleton<TelemetryWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryWriter>());
        services.AddSingleton<LiveTailFanOut>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveTailFanOut>());
        services.AddSingleton<TelemetryRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryRetention>());
        services.AddSingleton<FleetLiveFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<FleetLiveFeed>());
        return services;
    }
}
