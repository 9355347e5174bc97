using Brokkr.AppHost.Hosting;
using Brokkr.Tests.AppHost.Testing;

namespace Brokkr.Tests.AppHost;

/// <summary>Prometheus is optional locally: without the binary the rest runs and the user is told why it is missing.</summary>
public sealed class PrometheusResourceTests
{
    [Fact]
    public async Task WithoutThePrometheusBinary_TheResourceIsSkippedWithAClearMessage()
    {
        var builder = (await DistributedApplicationTestingBuilder.CreateAsync<Projects.Brokkr_AppHost>(["--AppHost:PrometheusPath=/nonexistent/prometheus"]))
            .WithOnly("prometheus");
        await using var app = await builder.BuildAsync();
        await app.StartAsync();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => app.WaitForResourceHealthyAsync("prometheus"));
        var prometheus = app.ResourceNotifications.Get("prometheus");
        Assert.Equal(KnownResourceStates.Skipped, prometheus.State);
        Assert.Contains("Prometheus is not installed", prometheus.Message);
        Assert.Contains("apt-get install prometheus", ex.Message);
    }
}
