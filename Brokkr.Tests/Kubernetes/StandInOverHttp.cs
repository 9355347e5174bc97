namespace Brokkr.Tests.Kubernetes;

/// <summary>A test class's own Kubernetes stand-in, read and written over plain HTTP as an API server would be.</summary>
public abstract class StandInOverHttp : IAsyncLifetime
{
    protected KubernetesStandIn.KubernetesStandIn StandIn { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        StandIn = await KubernetesStandIn.KubernetesStandIn.StartAsync();
        Http = new HttpClient { BaseAddress = StandIn.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await StandIn.DisposeAsync();
    }
}
