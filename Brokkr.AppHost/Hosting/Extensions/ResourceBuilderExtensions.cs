namespace Brokkr.AppHost.Hosting;

/// <summary>Wiring between resources: environment, arguments, references, start order and health.</summary>
public static class ResourceBuilderExtensions
{
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, Func<EnvironmentCallbackContext, Task> callback)
        where T : IResourceWithEnvironment => builder.WithAnnotation(new EnvironmentCallbackAnnotation(callback));

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, Action<EnvironmentCallbackContext> callback)
        where T : IResourceWithEnvironment => builder.WithEnvironment(context =>
    {
        callback(context);
        return Task.CompletedTask;
    });

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value)
        where T : IResourceWithEnvironment => builder.WithEnvironment(context => context.EnvironmentVariables[name] = value);

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, EndpointReference endpoint)
        where T : IResourceWithEnvironment => builder.WithEnvironment(context => context.EnvironmentVariables[name] = endpoint);

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, ReferenceExpression value)
        where T : IResourceWithEnvironment => builder.WithEnvironment(context => context.EnvironmentVariables[name] = value);

    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, params object[] args) where T : IResourceWithArgs =>
        builder.WithAnnotation(new CommandLineArgsAnnotation(args));

    /// <summary><c>ConnectionStrings__{name}</c> = the source's connection string.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithConnectionString> source,
        string? connectionName = null) where T : IResourceWithEnvironment
    {
        var resource = source.Resource;
        return builder.WithEnvironment(context =>
            context.EnvironmentVariables[$"ConnectionStrings__{connectionName ?? resource.Name}"] = resource);
    }

    /// <summary><c>services__{source}__{endpoint}__0</c> = URL, per HTTP endpoint of the source (service discovery).</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithEndpoints> source)
        where T : IResourceWithEnvironment
    {
        var resource = source.Resource;
        return builder.WithEnvironment(context =>
        {
            foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.UriScheme is "http" or "https"))
            {
                context.EnvironmentVariables[$"services__{resource.Name}__{endpoint.Name}__0"] = new EndpointReference(resource, endpoint.Name);
            }
        });
    }

    /// <summary>Start this resource only once <paramref name="dependency"/> is healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : IResourceWithWaitSupport => builder.WithAnnotation(new WaitAnnotation(dependency.Resource));

    public static EndpointReference GetEndpoint<T>(this IResourceBuilder<T> builder, string name) where T : IResourceWithEndpoints =>
        new(builder.Resource, name);

    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path, string endpointName = "http")
        where T : IResourceWithEndpoints => builder.WithAnnotation(new HttpHealthCheckAnnotation(path, endpointName));

    /// <summary>Work to do just before the resource starts in run mode.</summary>
    public static IResourceBuilder<T> OnBeforeResourceStarted<T>(this IResourceBuilder<T> builder,
        Func<DistributedApplicationExecutionContext, CancellationToken, Task> callback) where T : IResource =>
        builder.WithAnnotation(new BeforeResourceStartedAnnotation(callback));

    /// <summary>Printed under the resource's URLs when the application is up (what to use it with, credentials to know).</summary>
    public static IResourceBuilder<T> WithNote<T>(this IResourceBuilder<T> builder, string text) where T : IResource =>
        builder.WithAnnotation(new ResourceNoteAnnotation(text));
}
