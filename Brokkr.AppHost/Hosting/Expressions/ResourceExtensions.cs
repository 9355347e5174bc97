namespace Brokkr.AppHost.Hosting;

public static class ResourceExtensions
{
    /// <summary>
    /// The environment the resource's process gets, every expression resolved (Aspire's
    /// <c>GetEnvironmentVariableValuesAsync</c>): in run mode it needs the ports allocated and the values referenced known.
    /// </summary>
    public static Task<Dictionary<string, string>> GetEnvironmentVariableValuesAsync(this IResourceWithEnvironment resource,
        DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken = default) =>
        EnvironmentEvaluator.ResolveAsync(resource, executionContext, cancellationToken);
}
