namespace Brokkr.AppHost.Hosting;

public static class EndpointExtensions
{
    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, int? targetPort = null,
        string name = "http") where T : IResourceWithEndpoints =>
        builder.WithEndpoint(name, "http", "http", port, targetPort);

    public static IResourceBuilder<T> WithEndpoint<T>(this IResourceBuilder<T> builder, string name, string scheme, string transport,
        int? port = null, int? targetPort = null) where T : IResourceWithEndpoints
    {
        if (builder.Resource.Annotations.OfType<EndpointAnnotation>().Any(e => e.Name == name))
        {
            throw new InvalidOperationException($"resource '{builder.Resource.Name}' already has an endpoint named '{name}'");
        }

        return builder.WithAnnotation(new EndpointAnnotation(name, scheme, transport, targetPort, port, isExternal: false));
    }

    /// <summary>Marks the HTTP endpoints as reachable from outside the deployment (<c>"external": true</c>).</summary>
    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder) where T : IResourceWithEndpoints
    {
        foreach (var endpoint in builder.Resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.UriScheme is "http" or "https"))
        {
            endpoint.IsExternal = true;
        }

        return builder;
    }
}
