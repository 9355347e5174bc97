namespace Brokkr.AppHost.Hosting;

/// <summary>A target the local Prometheus scrapes (run mode; a deployment brings its own scrape configuration).</summary>
public sealed record PrometheusScrapeTargetAnnotation(IResourceWithEndpoints Target, string JobName, string EndpointName, string MetricsPath)
    : IResourceAnnotation;

public static class PrometheusExtensions
{
    public static IResourceBuilder<ContainerResource> WithScrapeTarget(this IResourceBuilder<ContainerResource> builder,
        IResourceBuilder<IResourceWithEndpoints> target, string jobName, string endpointName = "http", string metricsPath = "/metrics") =>
        builder.WithAnnotation(new PrometheusScrapeTargetAnnotation(target.Resource, jobName, endpointName, metricsPath));
}
