namespace Brokkr.AppHost.Hosting;

/// <summary>Environment variables a resource gets; values are strings or expressions (<see cref="IValueProvider"/>).</summary>
public sealed class EnvironmentCallbackAnnotation(Func<EnvironmentCallbackContext, Task> callback) : IResourceAnnotation
{
    public Func<EnvironmentCallbackContext, Task> Callback { get; } = callback;
}

public sealed class EnvironmentCallbackContext(DistributedApplicationExecutionContext executionContext, IResource resource)
{
    public DistributedApplicationExecutionContext ExecutionContext { get; } = executionContext;

    public IResource Resource { get; } = resource;

    public Dictionary<string, object> EnvironmentVariables { get; } = [];
}

/// <summary>Command-line arguments; strings or expressions.</summary>
public sealed class CommandLineArgsAnnotation(IReadOnlyList<object> args) : IResourceAnnotation
{
    public IReadOnlyList<object> Args { get; } = args;
}

/// <summary>A volume (<see cref="Source"/> is its name, null = anonymous) or a bind mount (source is a host path).</summary>
public sealed record ContainerMountAnnotation(string? Source, string Target, ContainerMountType Type, bool IsReadOnly) : IResourceAnnotation;

public enum ContainerMountType
{
    BindMount,
    Volume,
}

/// <summary>The resource starts only once <see cref="Resource"/> is healthy.</summary>
public sealed record WaitAnnotation(IResource Resource) : IResourceAnnotation;

/// <summary>Health is an HTTP GET of <see cref="Path"/> on the endpoint answering 2xx (Aspire's <c>WithHttpHealthCheck</c>).</summary>
public sealed record HttpHealthCheckAnnotation(string Path, string EndpointName) : IResourceAnnotation;

/// <summary>Run-mode work just before the resource's process starts (Aspire's <c>BeforeResourceStartedEvent</c>).</summary>
public sealed record BeforeResourceStartedAnnotation(Func<DistributedApplicationExecutionContext, CancellationToken, Task> Callback)
    : IResourceAnnotation;

/// <summary>A line for the user, printed with the resource's URLs once everything is up.</summary>
public sealed record ResourceNoteAnnotation(string Text) : IResourceAnnotation;
