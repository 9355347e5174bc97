using Brokkr.Agent.Configuration;
using Brokkr.Agent.Health;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Runtime;
using Brokkr.Tests.Agent.Loop;
using Brokkr.Tests.Kubernetes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Brokkr.Tests.Agent;

/// <summary>The Kubernetes readiness check: the heartbeat's measurement while fresh, an uncounted probe otherwise.</summary>
public sealed class KubernetesHealthCheckTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _clock = new();
    private readonly OperationLog _operations = new();
    private KubernetesStandIn.KubernetesStandIn _standIn = null!;
    private KubernetesClient _client = null!;

    public async Task InitializeAsync()
    {
        _standIn = await KubernetesStandIn.KubernetesStandIn.StartAsync();
        _client = new KubernetesClient(Connections.To(_standIn), TimeSpan.FromSeconds(30), _operations);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _standIn.DisposeAsync();
    }

    [Fact]
    public async Task A_fresh_measurement_answers_and_a_stale_one_is_probed_once_without_counting_an_operation()
    {
        var state = new AgentRuntimeState(_clock);
        var check = new KubernetesHealthCheck(new Lazy<IKubernetesClient>(() => _client), state, Settings(pollingSeconds: 10), _clock);
        state.KubernetesReachable(); // what the heartbeat measured just now
        _standIn.Faults.FailAll(503, "GET", "/version");

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(check)).Status);
        _clock.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(check)).Status);
        Assert.Equal(0, _standIn.Faults.InjectedCount);

        // Two polling intervals without a heartbeat: the check asks the API itself, and remembers the answer.
        _clock.Advance(TimeSpan.FromSeconds(1));
        var probed = await CheckAsync(check);
        var again = await CheckAsync(check);

        Assert.Equal(HealthStatus.Unhealthy, probed.Status);
        Assert.StartsWith("Kubernetes API unavailable: ", probed.Description);
        Assert.Contains("unable to handle the request", probed.Description);
        Assert.Equal(HealthStatus.Unhealthy, again.Status);
        Assert.Equal(1, _standIn.Faults.InjectedCount);
        Assert.Equal(_clock.GetUtcNow(), state.Kubernetes.CheckedAt);
        Assert.Empty(_operations.Calls);
    }

    [Fact]
    public async Task Never_measured_is_probed()
    {
        var state = new AgentRuntimeState(_clock);
        var check = new KubernetesHealthCheck(new Lazy<IKubernetesClient>(() => _client), state, Settings(pollingSeconds: 10), _clock);

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(check)).Status);
        Assert.True(state.Kubernetes.Connected);
        Assert.Empty(_operations.Calls);
    }

    private static Task<HealthCheckResult> CheckAsync(KubernetesHealthCheck check) =>
        check.CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration(KubernetesHealthCheck.Name, check, null, null),
        });

    private static AgentSettings Settings(int pollingSeconds) => AgentSettings.From(new ConfigurationBuilder()
        .AddInMemoryCollection([new("Brokkr:Agent:polling_interval", pollingSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))])
        .Build());
}
