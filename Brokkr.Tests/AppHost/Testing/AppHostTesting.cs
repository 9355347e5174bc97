using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Brokkr.Tests.Infrastructure;

namespace Brokkr.Tests.AppHost.Testing;

/// <summary>
/// Aspire.Hosting.Testing's builder for Brokkr.AppHost with what concurrent test runs on one machine need: a throwaway
/// data folder and HOME (Aspire keeps state in ~/.aspire, ~/.dcp), free ports for the dashboard, its OTLP receiver and
/// resource service (every resource port is randomised by the testing builder already), never a developer's own cluster.
/// </summary>
public static class AppHostTesting
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The builder and its data folder; the caller deletes the folder (<see cref="DeleteData"/>) when done.</summary>
    public static async Task<(IDistributedApplicationTestingBuilder Builder, string DataDirectory)> CreateAsync(string[]? args = null,
        string? dataDirectory = null, string? dashboardToken = null)
    {
        IsolatedHome.Ensure();
        dataDirectory ??= NewDataDirectory();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Brokkr_AppHost>(
        [
            .. args ?? [],
            $"--AppHost:DataDirectory={dataDirectory}",
            "--AppHost:UseKubernetesStandIn=true",
            $"--ASPNETCORE_URLS=http://localhost:{LoopbackPort.Free()}",
            $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:{LoopbackPort.Free()}",
            $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:{LoopbackPort.Free()}",
            "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
            .. dashboardToken is null ? Array.Empty<string>() : [$"--ASPIRE_DASHBOARD_FRONTEND_BROWSERTOKEN={dashboardToken}"],
        ], (options, _) => options.DisableDashboard = dashboardToken is null);
        return (builder, dataDirectory);
    }

    public static string NewDataDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "brokkr-apphost-test-" + Guid.NewGuid().ToString("N")[..8]);
        // Run as root, PostgreSQL runs as the postgres user, which must be able to enter it.
        if (OperatingSystem.IsWindows())
        {
            return Directory.CreateDirectory(path).FullName;
        }

        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                        UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return path;
    }

    /// <summary>Keeps only the named resources (and parameters), as a test of one part needs.</summary>
    public static IDistributedApplicationTestingBuilder WithOnly(this IDistributedApplicationTestingBuilder builder, params string[] names)
    {
        foreach (var resource in builder.Resources.Where(r => !names.Contains(r.Name) && r is not ParameterResource).ToList())
        {
            builder.Resources.Remove(resource);
        }

        return builder;
    }

    /// <summary>Waits until the resource is healthy; a failure names its state and carries its last log lines.</summary>
    public static async Task WaitForHealthyAsync(this DistributedApplication app, string name, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? StartTimeout);
        try
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(name, cts.Token);
        }
        catch (OperationCanceledException e)
        {
            app.ResourceNotifications.TryGetCurrentState(name, out var current);
            throw new TimeoutException($"{name} is not healthy ({current?.Snapshot.State?.Text}):\n" +
                                       string.Join('\n', (await app.LogsAsync(name)).TakeLast(40)), e);
        }
    }

    /// <summary>The resource's console and log lines so far.</summary>
    public static async Task<IReadOnlyList<string>> LogsAsync(this DistributedApplication app, string name)
    {
        var lines = new List<string>();
        // Logs are kept under the resource's id (its DCP name, e.g. broker-abcd1234), not its model name.
        var id = app.ResourceNotifications.TryGetCurrentState(name, out var state) ? state.ResourceId : name;
        await foreach (var batch in app.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(id))
        {
            lines.AddRange(batch.Select(l => l.Content));
        }

        return lines;
    }

    public static void DeleteData(string dataDirectory)
    {
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
