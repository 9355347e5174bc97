namespace Brokkr.AppHost.Hosting;

/// <summary>Runs a resource's environment callbacks, in the order they were added, for the current mode.</summary>
internal static class EnvironmentEvaluator
{
    public static async Task<Dictionary<string, object>> EvaluateAsync(IResource resource, DistributedApplicationExecutionContext executionContext)
    {
        var context = new EnvironmentCallbackContext(executionContext, resource);
        foreach (var annotation in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await annotation.Callback(context);
        }

        return context.EnvironmentVariables;
    }

    /// <summary>Run mode: every expression replaced by its value.</summary>
    public static async Task<Dictionary<string, string>> ResolveAsync(IResource resource, DistributedApplicationExecutionContext executionContext,
        CancellationToken cancellationToken)
    {
        var resolved = new Dictionary<string, string>();
        foreach (var (name, value) in await EvaluateAsync(resource, executionContext))
        {
            resolved[name] = await ResolveValueAsync(value, cancellationToken);
        }

        return resolved;
    }

    public static async Task<string> ResolveValueAsync(object value, CancellationToken cancellationToken) => value switch
    {
        string text => text,
        IValueProvider provider => await provider.GetValueAsync(cancellationToken) ?? "",
        _ => throw new NotSupportedException($"a {value.GetType().Name} has no run-time value"),
    };
}
