using System.Text.Json;
using Brokkr.Agent;
using Brokkr.Tests.Broker;
using Brokkr.Tests.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brokkr.Tests.Agent.Loop;

/// <summary>
/// One agent under test, in-process over loopback: a Kubernetes stand-in that insists on the kubeconfig's token, an
/// ACTIVE agent identity registered with its own generator on the shared broker, and the agent's host with a
/// <see cref="ManualTimeProvider"/>, so <see cref="TickAsync"/> runs exactly one more control-loop tick.
/// </summary>
public sealed class AgentRig : IAsyncDisposable
{
    public static readonly TimeSpan PollingInterval = TimeSpan.FromSeconds(10);
    public const string KubernetesToken = "stand-in-token";

    private readonly List<IDisposable> _disposables = [];
    private WebApplication? _app;
    private IReadOnlyDictionary<string, string?>? _settings;
    private bool _tokenFile;

    private AgentRig(RestartableBroker broker, KubernetesStandIn.KubernetesStandIn kubernetes)
    {
        Broker = broker;
        Kubernetes = kubernetes;
    }

    public RestartableBroker Broker { get; }
    public KubernetesStandIn.KubernetesStandIn Kubernetes { get; }
    public ManualTimeProvider Clock { get; private set; } = new();
    public AgentIdentity Identity { get; private set; } = null!;
    public Tenant Generator => Identity.Generator;
    public Tenant Agent => Identity.Agent;
    public HttpClient Health { get; private set; } = null!;

    /// <summary>Every line the agent logged (as far as its log levels let through), for tests of what is never logged.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Logs { get; } = new();

    /// <summary>The kubeconfig the running agent was given.</summary>
    public StandInKubeconfig Kubeconfig { get; private set; } = null!;

    /// <summary>Creates the identity, lets <paramref name="arrange"/> prepare broker state, starts the agent and waits out its first tick.</summary>
    /// <param name="tokenFile">Give the agent its Kubernetes token in a file (<see cref="StandInKubeconfig.TokenFile"/>).</param>
    /// <param name="shipwright">The cluster serves Shipwright's Build and BuildRun CRDs.</param>
    public static async Task<AgentRig> StartAsync(RestartableBroker broker, Func<AgentRig, Task>? arrange = null,
        IReadOnlyDictionary<string, string?>? settings = null, bool active = true, bool tokenFile = false, bool shipwright = false)
    {
        var kubernetes = await KubernetesStandIn.KubernetesStandIn.StartAsync(
            new KubernetesStandIn.StandInOptions { Token = KubernetesToken, Shipwright = shipwright });
        var rig = new AgentRig(broker, kubernetes) { _tokenFile = tokenFile };
        try
        {
            rig.Identity = await AgentIdentity.CreateAsync(broker, active: active);
            if (arrange is not null)
            {
                await arrange(rig);
            }

            await rig.StartAgentAsync(settings);
            await rig.Clock.WaitForTimerAsync(0);
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the agent and starts a fresh one (new process state, same identity and cluster); waits out its first tick.</summary>
    public async Task RestartAgentAsync(Func<Task>? whileStopped = null)
    {
        await StopAgentAsync();
        if (whileStopped is not null)
        {
            await whileStopped();
        }

        Clock = new ManualTimeProvider();
        await StartAgentAsync(_settings);
        await Clock.WaitForTimerAsync(0);
    }

    /// <summary>Fires the pending wait and returns the wait the loop chose after this tick.</summary>
    public async Task<TimeSpan> TickAsync()
    {
        var requests = Clock.RequestCount;
        Clock.Advance(Clock.RequestedDelays[^1]);
        return await Clock.WaitForTimerAsync(requests);
    }

    public Task<Guid> StackAsync() => Identity.StackAsync();

    public Task<Guid> DeployAsync(Guid stackId, string yaml, bool deletionMarker = false) =>
        Identity.DeployAsync(stackId, yaml, deletionMarker);

    public Task<Dictionary<Guid, (string Status, string? Message)>> EventsAsync() => Identity.EventsAsync();

    public Task<List<(string Status, string? Message)>> EventsOfAsync(Guid deploymentObjectId) => Identity.EventsOfAsync(deploymentObjectId);

    /// <summary>The agent's work-order runner (its <c>Running</c> task is the order in progress).</summary>
    public Brokkr.Agent.WorkOrders.WorkOrderRunner WorkOrders => _app!.Services.GetRequiredService<Brokkr.Agent.WorkOrders.WorkOrderRunner>();

    /// <summary>
    /// Moves the clock <paramref name="step"/> at a time (firing the loop's and a work-order watch's timers as they
    /// fall due) until <paramref name="done"/> holds; a bounded number of steps, each after a short real pause so the
    /// woken code can run.
    /// </summary>
    public async Task<T> AdvanceUntilAsync<T>(TimeSpan step, Func<Task<T>> read, Func<T, bool> done, string what, int maxSteps = 200)
    {
        for (var i = 0; i < maxSteps; i++)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            Clock.Advance(step);
            await Task.Delay(50);
        }
        throw new TimeoutException($"{what} did not happen within {maxSteps} clock steps of {step}");
    }

    /// <summary>A work order targeted at this rig's agent by id, created by the admin; its id.</summary>
    public async Task<Guid> CreateWorkOrderAsync(string workType, string yaml, int? maxRetries = null, int? backoffSeconds = null,
        int? claimTimeoutSeconds = null) =>
        (await Broker.Admin.Send("POST", "/work-orders", new
        {
            work_type = workType,
            yaml_content = yaml,
            max_retries = maxRetries,
            backoff_seconds = backoffSeconds,
            claim_timeout_seconds = claimTimeoutSeconds,
            targeting = new { agent_ids = new[] { Agent.Id } },
        }).Expect(201)).Id();

    /// <summary>Steps the clock (by default a work-order watch poll at a time) until the order is in the work-order log.</summary>
    public async Task<JsonElement> ArchivedWorkOrderAsync(Guid order, TimeSpan? step = null) =>
        (await AdvanceUntilAsync(step ?? Brokkr.Agent.WorkOrders.JobWatcher.PollInterval, () => WorkOrderLogEntryAsync(order),
            l => l is not null, $"work order {order} archived"))!.Value;

    /// <summary>The order's work-order log entry, or null while it is not archived.</summary>
    public async Task<JsonElement?> WorkOrderLogEntryAsync(Guid order)
    {
        using var response = await Broker.Admin.Send("GET", $"/work-order-log/{order}");
        return response.StatusCode == System.Net.HttpStatusCode.OK
            ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone()
            : null;
    }

    /// <summary>One value from the agent's /metrics; labels as rendered, e.g. <c>action="applied"</c>.</summary>
    public async Task<double> MetricAsync(string name, string labels = "")
    {
        var samples = ExpositionParser.Parse(await Health.GetStringAsync("/metrics"));
        var matches = samples.Where(s => s.Name == name && s.Labels == labels).ToList();
        Assert.True(matches.Count == 1, $"expected one {name}{{{labels}}} sample, found {matches.Count}");
        return matches[0].Value;
    }

    /// <summary>An object in the stand-in's store by kind plural, namespace and name; null when absent.</summary>
    public System.Text.Json.Nodes.JsonObject? ClusterObject(string plural, string ns, string name) =>
        Kubernetes.Store.Snapshot().Where(o => o.Plural == plural && o.Namespace == ns
                && o.Object["metadata"]?["name"]?.GetValue<string>() == name)
            .Select(o => o.Object).FirstOrDefault();

    /// <summary>Server-side applies an object as another tool would (its own field manager, no Brokkr stamp).</summary>
    public async Task ApplyAsOtherToolAsync(System.Text.Json.Nodes.JsonObject obj, string fieldManager)
    {
        using var client = new Brokkr.Agent.Kubernetes.KubernetesClient(
            Brokkr.Tests.Kubernetes.Connections.To(Kubernetes, KubernetesToken),
            TimeSpan.FromSeconds(30));
        var resource = await client.ResolveAsync(obj["apiVersion"]!.GetValue<string>(), obj["kind"]!.GetValue<string>(), default);
        await client.ApplyAsync(resource!, obj, new Brokkr.Agent.Kubernetes.ApplyOptions(fieldManager), default);
    }

    /// <summary>GET /health: the status code and the JSON document.</summary>
    public async Task<(int Status, JsonElement Body)> GetHealthAsync(string path = "/health")
    {
        var (status, text) = await GetProbeAsync(path, "application/json");
        return (status, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>A probe's status code and body, asserting its media type (the probes answer text/plain).</summary>
    public async Task<(int Status, string Body)> GetProbeAsync(string path, string mediaType = "text/plain")
    {
        using var response = await Health.GetAsync(path);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await StopAgentAsync();
        await Kubernetes.DisposeAsync();
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }
    }

    private async Task StopAgentAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }

        Health?.Dispose();
    }

    private async Task StartAgentAsync(IReadOnlyDictionary<string, string?>? extra)
    {
        _settings = extra;
        var kubeconfig = new StandInKubeconfig(Kubernetes.BaseAddress, KubernetesToken, _tokenFile);
        _disposables.Add(kubeconfig);
        Kubeconfig = kubeconfig;
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Brokkr:Agent:broker_url"] = Broker.BaseAddress.ToString(),
            ["Brokkr:Agent:pak"] = Agent.Pak,
            ["Brokkr:Agent:agent_name"] = Identity.Name,
            ["Brokkr:Agent:cluster_name"] = Identity.Cluster,
            ["Brokkr:Agent:polling_interval"] = PollingInterval.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Brokkr:Agent:kubeconfig_path"] = kubeconfig.Path,
            // These tests step the loop tick by tick; a push would add ticks of its own. Channel tests turn it on.
            ["Brokkr:Agent:ws_force_rest"] = "true",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var builder = AgentApp.CreateBuilder([], settings);
        builder.Services.AddSingleton<TimeProvider>(Clock);
        builder.Logging.AddProvider(new CapturingLoggerProvider(Logs));
        _app = AgentApp.Build(builder);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Health = new HttpClient { BaseAddress = new Uri(address) };
    }
}
