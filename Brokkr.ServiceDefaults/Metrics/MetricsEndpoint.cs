using System.Text;
using Brokkr.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.ServiceDefaults.Metrics;

/// <summary>The Prometheus scrape endpoint. Not mapped at all (404) when metrics or Prometheus export are off.</summary>
public static class MetricsEndpoint
{
    public static IEndpointRouteBuilder MapPrometheusScrapingEndpoint(this IEndpointRouteBuilder endpoints)
    {
        var providers = endpoints.ServiceProvider.GetRequiredService<TelemetryProviders>();
        if (providers.PrometheusExporter is not { } exporter)
        {
            return endpoints;
        }

        endpoints.MapGet(providers.MetricsSettings.Path, (HttpContext context) => Scrape(context, exporter))
            .AllowAnonymous()
            .ExcludeFromDescription();
        return endpoints;
    }

    private static async Task Scrape(HttpContext context, PrometheusTextExporter exporter)
    {
        // Collection is synchronous and serialised inside the exporter; keep it off the request thread's hot path.
        var text = await Task.Run(exporter.Scrape, context.RequestAborted);
        context.Response.ContentType = PrometheusTextWriter.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), context.RequestAborted);
    }
}
