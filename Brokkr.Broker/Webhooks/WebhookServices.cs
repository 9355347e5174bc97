namespace Brokkr.Broker.Webhooks;

public static class WebhookServices
{
    /// <summary>Call after the database initializer is registered: the key check reads migrated tables.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WebhookOptions>(configuration.GetSection(WebhookOptions.Section));
        services.AddSingleton<WebhookCipher>();
        services.AddSingleton<WebhookMetrics>();
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookQueue>();
        services.AddHostedService<WebhookKeyCheck>();
        services.AddHostedService<WebhookDeliveryWorker>();
        return services;
    }
}
