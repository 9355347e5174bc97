using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Webhooks;

public static class WebhookServices
{
    /// <summary>Call after the database initializer is registered: the key check reads migrated tables.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidation>();
        services.AddSingleton<WebhookCipher>();
        services.AddSingleton<WebhookMetrics>();
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookQueue>();
        services.AddHostedService<WebhookKeyCheck>();
        services.AddHostedService<WebhookDeliveryWorker>();
        return services;
    }
}
