using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Aspire.Hosting;
using Brokkr.Tests.AppHost.Testing;

namespace Brokkr.Tests.AppHost;

/// <summary>Prometheus is optional locally: without the binary the rest runs and the user is told why it is missing.</summary>
public sealed class PrometheusResourceTests
{
    [Fact]
    public async Task WithoutThePrometheusBinary_TheResourceFailsToStartWithAClearMessage()
    {
        var (builder, data) = await AppHostTesting.CreateAsync(["--AppHost:PrometheusPath=/nonexistent/prometheus"]);
        try
        {
            await using var app = await builder.WithOnly("prometheus").BuildAsync();
            await app.StartAsync();

            using var timeout = new CancellationTokenSource(AppHostTesting.StartTimeout);
            await app.ResourceNotifications.WaitForResourceAsync("prometheus", KnownResourceStates.FailedToStart, timeout.Token);
            var logs = string.Join('\n', await app.LogsAsync("prometheus"));
            Assert.Contains("Prometheus is not installed (/nonexistent/prometheus not found)", logs);
            Assert.Contains("apt-get install prometheus", logs);
        }
        finally
        {
            AppHostTesting.DeleteData(data);
        }
    }
}
