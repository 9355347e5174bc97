using Brokkr.ServiceDefaults;
using Brokkr.ServiceDefaults.Health;
using Brokkr.ServiceDefaults.Logging;
using Brokkr.ServiceDefaults.Metrics;
using Brokkr.ServiceDefaults.Telemetry;
using Brokkr.ServiceDefaults.Tracing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The two calls every Brokkr service makes, named as in Aspire's ServiceDefaults template so the real
/// package can replace this project without touching the services.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddBrokkrLogging();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        return builder;
    }

    /// <summary>
    /// Metrics (Prometheus pull + OTLP push) and tracing (ASP.NET Core, HttpClient, Npgsql, Brokkr.* sources), configured
    /// from <c>Brokkr:Metrics</c> and the standard OTEL_* variables. The providers live as long as the host.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.TryAddSingleton(TelemetryProviders.Create);
        builder.Services.AddHostedService<TelemetryStartup>();

        var metricsPath = builder.Configuration.GetSection(MetricsOptions.SectionName).Get<MetricsOptions>()?.Path ?? "/metrics";
        var untracedPaths = new HashSet<string>(HealthEndpoints.Paths, StringComparer.OrdinalIgnoreCase)
        {
            metricsPath.StartsWith('/') ? metricsPath : "/" + metricsPath,
        };
        builder.Services.AddSingleton<IStartupFilter>(new HttpServerSpanStartupFilter(untracedPaths));
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [HealthTags.Live]);
        return builder;
    }

    /// <summary>Maps /healthz, /alive, /readyz, /health and the Prometheus scrape endpoint (default /metrics).</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapPrometheusScrapingEndpoint();
        return app;
    }
}
