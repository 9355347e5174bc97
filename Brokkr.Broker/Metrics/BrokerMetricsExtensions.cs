using Brokkr.ServiceDefaults.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// Wires the broker's metrics. When metrics are off (<c>BROKKR__METRICS__ENABLED=false</c>, OTEL_SDK_DISABLED) the
/// middleware, the command interceptor and the refresh task are not installed at all, so they cost nothing.
/// </summary>
public static class BrokerMetricsExtensions
{
    public static IServiceCollection AddBrokerMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<BrokerMetricsOptions>(configuration.GetSection(BrokerMetricsOptions.Section));
        services.AddSingleton<BrokerMeter>();
        services.AddSingleton<HttpMetrics>();
        services.AddSingleton<DatabaseMetrics>();
        services.AddSingleton<DatabaseMetricsInterceptor>();
        services.AddSingleton<FleetGauges>();
        services.AddSingleton<BusinessMetrics>();
        services.AddSingleton<WorkOrderMetrics>();
        services.AddSingleton<TemplateMetrics>();
        services.AddSingleton<DiagnosticMetrics>();
        services.AddSingleton<DefaultAdminKeyGauge>();
        // Registered after the database initializer, whose migrations the first refresh needs.
        services.AddHostedService<FleetMetricsRefresher>();
        return services;
    }

    public static DbContextOptionsBuilder UseDatabaseMetrics(this DbContextOptionsBuilder options, IServiceProvider services) =>
        Enabled(services) ? options.AddInterceptors(services.GetRequiredService<DatabaseMetricsInterceptor>()) : options;

    /// <summary>Creates every instrument now, so each family is exported from the first scrape.</summary>
    public static WebApplication UseBrokerMetrics(this WebApplication app)
    {
        var services = app.Services;
        services.GetRequiredService<HttpMetrics>();
        services.GetRequiredService<DatabaseMetrics>();
        services.GetRequiredService<FleetGauges>();
        services.GetRequiredService<BusinessMetrics>();
        services.GetRequiredService<WorkOrderMetrics>();
        services.GetRequiredService<TemplateMetrics>();
        services.GetRequiredService<DiagnosticMetrics>();
        services.GetRequiredService<DefaultAdminKeyGauge>();
        if (Enabled(services))
        {
            var excluded = services.GetRequiredService<IOptions<BrokerMetricsOptions>>().Value
                .ExcludedEndpoints(services.GetRequiredService<BrokkrMetrics>().Path);
            app.UseMiddleware<HttpMetricsMiddleware>(services.GetRequiredService<HttpMetrics>(), excluded);
        }
        return app;
    }

    private static bool Enabled(IServiceProvider services) => services.GetRequiredService<BrokerMeter>().Enabled;
}
