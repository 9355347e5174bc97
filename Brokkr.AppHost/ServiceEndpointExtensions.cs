namespace Brokkr.AppHost;

internal static class ServiceEndpointExtensions
{
    /// <summary>
    /// The service's HTTP endpoint on its well-known port. Deployed, the service listens on it (the manifest's
    /// <c>targetPort</c>). Run here, Aspire's proxy takes the port and the process gets a free one behind it, so a second
    /// AppHost (tests run several) never collides with the first's services.
    /// </summary>
    public static IResourceBuilder<T> WithServiceHttpEndpoint<T>(this IResourceBuilder<T> builder, int port)
        where T : IResourceWithEndpoints =>
        builder.ApplicationBuilder.ExecutionContext.IsPublishMode
            ? builder.WithHttpEndpoint(targetPort: port)
            : builder.WithHttpEndpoint(port: port);
}
