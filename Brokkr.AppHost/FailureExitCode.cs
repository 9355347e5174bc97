using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Brokkr.AppHost;

/// <summary>
/// Aspire 13.6 runs <c>--publisher</c> as one of the host's background services: when publishing fails (no
/// <c>--output-path</c>, a path it cannot write) it logs the error and stops the host, but the process still exits 0,
/// so a deployment pipeline carries on as if the manifest had been written. This runs the application and returns 1
/// when any background service ended faulted, else 0.
/// </summary>
internal static class FailureExitCode
{
    public static int RunToExitCode(this DistributedApplication app)
    {
        app.Run();
        var failed = app.Services.GetServices<IHostedService>().OfType<BackgroundService>()
            .Any(service => service.ExecuteTask is { IsFaulted: true });
        return failed ? 1 : 0;
    }
}
