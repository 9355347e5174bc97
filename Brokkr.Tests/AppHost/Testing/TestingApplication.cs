using Brokkr.AppHost.Hosting;

namespace Brokkr.Tests.AppHost.Testing;

/// <summary>A started AppHost model under test: wait for resources, reach them by name, stop everything and clean up.</summary>
public sealed class TestingApplication(DistributedApplication application, string? ownedDataDirectory) : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    public DistributedApplication Application { get; } = application;

    public ResourceNotificationService ResourceNotifications => Application.ResourceNotifications;

    public Task StartAsync() => Application.StartAsync();

    public Task StopAsync() => Application.StopAsync();

    /// <summary>Waits until the resource is healthy; on failure or timeout the message carries its last log lines.</summary>
    public async Task WaitForResourceHealthyAsync(string name, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await ResourceNotifications.WaitForResourceHealthyAsync(name, cts.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            var snapshot = ResourceNotifications.Get(name);
            throw new InvalidOperationException(
                $"{name} is not healthy ({snapshot.State}, {snapshot.Health ?? "no health"}{(snapshot.Message is null ? "" : ", " + snapshot.Message)}):\n" +
                string.Join('\n', Application.GetResourceLogs(name).TakeLast(40)), e);
        }
    }

    /// <summary>An HttpClient whose base address is the resource's endpoint (<c>http</c> unless named).</summary>
    public HttpClient CreateHttpClient(string resourceName, string endpointName = "http") =>
        new() { BaseAddress = Application.GetEndpoint(resourceName, endpointName), Timeout = TimeSpan.FromSeconds(30) };

    public async Task<string> GetConnectionStringAsync(string resourceName) =>
        await Application.Resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == resourceName)
            .ConnectionStringExpression.GetValueAsync() ?? throw new InvalidOperationException($"{resourceName} has no connection string");

    public async ValueTask DisposeAsync()
    {
        await Application.DisposeAsync();
        if (ownedDataDirectory is not null && Directory.Exists(ownedDataDirectory))
        {
            Directory.Delete(ownedDataDirectory, recursive: true);
        }
    }
}
