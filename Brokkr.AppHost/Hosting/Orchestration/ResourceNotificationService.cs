using System.Collections.Concurrent;

namespace Brokkr.AppHost.Hosting;

public static class KnownResourceStates
{
    public const string NotStarted = "NotStarted";
    public const string Waiting = "Waiting";
    public const string Starting = "Starting";
    public const string Running = "Running";
    public const string Restarting = "Restarting";
    public const string Stopping = "Stopping";
    public const string Finished = "Finished";
    public const string Exited = "Exited";
    public const string FailedToStart = "FailedToStart";
    public const string Skipped = "Skipped";

    /// <summary>States a resource never leaves on its own: waiting for its health is pointless.</summary>
    public static bool IsTerminal(string state) => state is Finished or Exited or FailedToStart or Skipped;
}

public static class HealthStatus
{
    public const string Healthy = "Healthy";
    public const string Unhealthy = "Unhealthy";
}

/// <summary>What is known about a resource right now: the row of the resource table.</summary>
public sealed record ResourceSnapshot(string Name, string Type, string State, string? Health, IReadOnlyList<string> Urls, int Restarts,
    string? Message);

/// <summary>Current state of every resource and a way to wait for changes (Aspire's <c>ResourceNotificationService</c>).</summary>
public sealed class ResourceNotificationService
{
    private readonly ConcurrentDictionary<string, ResourceSnapshot> _snapshots = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal ResourceNotificationService(IEnumerable<IResource> resources)
    {
        foreach (var resource in resources)
        {
            _snapshots[resource.Name] = new ResourceSnapshot(resource.Name, ResourceTypeName(resource), KnownResourceStates.NotStarted, null,
                [], 0, null);
        }
    }

    public event Action<ResourceSnapshot>? Changed;

    public IReadOnlyList<ResourceSnapshot> Snapshots => [.. _snapshots.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];

    public ResourceSnapshot Get(string name) =>
        _snapshots.TryGetValue(name, out var snapshot) ? snapshot : throw new ArgumentException($"no resource '{name}'", nameof(name));

    public void PublishUpdate(string name, Func<ResourceSnapshot, ResourceSnapshot> update)
    {
        ResourceSnapshot updated;
        TaskCompletionSource changed;
        lock (_gate)
        {
            updated = update(Get(name));
            _snapshots[name] = updated;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
        Changed?.Invoke(updated);
    }

    /// <summary>Completes when the resource is healthy; throws when it reaches a state it will not become healthy from.</summary>
    public async Task WaitForResourceHealthyAsync(string name, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            var snapshot = Get(name);
            if (snapshot.State == KnownResourceStates.Running && snapshot.Health == HealthStatus.Healthy)
            {
                return;
            }

            if (KnownResourceStates.IsTerminal(snapshot.State))
            {
                throw new InvalidOperationException(
                    $"resource '{name}' will not become healthy: {snapshot.State}{(snapshot.Message is null ? "" : " - " + snapshot.Message)}");
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    private static string ResourceTypeName(IResource resource) => resource switch
    {
        ProjectResource => "Project",
        PostgresServerResource => "Postgres",
        PostgresDatabaseResource => "Database",
        ContainerResource => "Container",
        ParameterResource => "Parameter",
        _ => resource.GetType().Name,
    };
}
