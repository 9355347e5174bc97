using Brokkr.ServiceDefaults;
using Brokkr.ServiceDefaults.Health;
using Brokkr.ServiceDefaults.Logging;
using Brokkr.ServiceDefaults.Metrics;
using Brokkr.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The two calls every Brokkr service makes, shaped like eShop's ServiceDefaults: OpenTelemetry (metrics, traces and
/// logs), service discovery, health checks; then the health and Prometheus endpoints.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddBrokkrLogging();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        return builder;
    }

    /// <summary>
    /// Metrics (Prometheus scrape endpoint, configured from <c>Brokkr:Metrics</c>), tracing and logs through the
    /// OpenTelemetry SDK, which reads the standard OTEL_* settings itself; all three signals are pushed over OTLP when
    /// OTEL_EXPORTER_OTLP_ENDPOINT is set.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var metrics = MetricsSettings.From(builder.Configuration.GetSection(MetricsOptions.SectionName),
            sdkDisabled: string.Equals(builder.Configuration["OTEL_SDK_DISABLED"]?.Trim(), "true", StringComparison.OrdinalIgnoreCase));
        var untraced = new HashSet<string>(HealthEndpoints.Paths, StringComparer.OrdinalIgnoreCase) { metrics.Path };

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => TelemetryResource.Configure(resource, builder.Configuration,
                builder.Environment.ApplicationName, metrics.GlobalLabels))
            .WithTracing(tracing => tracing
                // Probes and scrapes every few seconds would drown the traces.
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !untraced.Contains(context.Request.Path.Value ?? ""))
                .AddHttpClientInstrumentation()
                .AddSource(TelemetrySources.Traces));
        if (metrics.Enabled)
        {
            telemetry.WithMetrics(meters => MetricsPipeline.Configure(meters, metrics));
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        builder.Services.AddSingleton(services =>
            new BrokkrMetrics(metrics.Path, metrics.Enabled ? services.GetRequiredService<MeterProvider>() : null));
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
        // Resolving BrokkrMetrics builds the MeterProvider now, so it listens before the first request.
        if (app.Services.GetRequiredService<BrokkrMetrics>().Enabled)
        {
            app.MapPrometheusScrapingEndpoint().AllowAnonymous().WithMetadata(new Microsoft.AspNetCore.Routing.ExcludeFromDescriptionAttribute());
        }

        return app;
    }
}
