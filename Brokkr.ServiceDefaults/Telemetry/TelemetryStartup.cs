using Microsoft.Extensions.Hosting;

namespace Brokkr.ServiceDefaults.Telemetry;

/// <summary>
/// Resolving the providers at host start makes them listen before the first request even when a service never
/// touches them; the host resolves every hosted service before starting any (Kestrel included).
/// </summary>
internal sealed class TelemetryStartup(TelemetryProviders providers) : IHostedService
{
    public TelemetryProviders Providers { get; } = providers;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
