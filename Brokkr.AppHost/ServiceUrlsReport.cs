using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brokkr.AppHost;

internal static class ServiceUrlsReport
{
    /// <summary>
    /// Prints the resource's URLs once it is ready, beside the dashboard's login URL Aspire prints, so a user of
    /// <c>scripts/start.sh</c> sees where the services are without opening the dashboard.
    /// </summary>
    public static IResourceBuilder<T> WithUrlsReported<T>(this IResourceBuilder<T> builder, string? note = null) where T : IResourceWithEndpoints =>
        builder.OnResourceReady((resource, e, _) =>
        {
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Brokkr.AppHost");
            foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>().Where(a => a.AllocatedEndpoint is not null))
            {
                logger.LogInformation("{Resource,-10} {Url} (ready)", resource.Name, endpoint.AllocatedEndpoint!.UriString);
            }

            if (note is not null)
            {
                logger.LogInformation("{Resource,-10} {Note}", resource.Name, note);
            }

            return Task.CompletedTask;
        });
}
