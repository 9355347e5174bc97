namespace Brokkr.Broker.Audit;

public static class AuditServices
{
    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AuditOptions>(configuration.GetSection(AuditOptions.Section));
        services.AddSingleton<AuditQueue>();
        services.AddSingleton<AuditMetrics>();
        services.AddSingleton<AuthFailureAudit>();
        services.AddHostedService<AuditWriter>();
        services.AddHostedService<AuditRetention>();
        return services;
    }
}
