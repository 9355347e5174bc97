using System.Text.Json;
using Brokkr.Agent;
using Brokkr.Tests.Broker;
using Brokkr.Tests.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.Tests.Agent.Loop;

/// <summary>
/// One agent under test, in-process over loopback: a Kubernetes stand-in that insists on the kubeconfig's token, an
/// ACTIVE agent identity registered with its own generator on the shared broker, and the agent's host with a
/// <see cref="ManualTimeProvider"/>, so <see cref="TickAsync"/> runs exactly one more control-loop tick.
/// </summary>
public sealed class AgentRig : IAsyncDisposable
{
    public static readonly TimeSpan PollingInterval = TimeSpan.FromSeconds(10);
    private const string KubernetesToken = "stand-in-token";

    private readonly List<IDisposable> _disposables = [];
    private WebApplication? _app;

    private AgentRig(RestartableBroker broker, KubernetesStandIn.KubernetesStandIn kubernetes)
    {
        Broker = broker;
        Kubernetes = kubernetes;
    }

    public RestartableBroker Broker { get; }
    public KubernetesStandIn.KubernetesStandIn Kubernetes { get; }
    public ManualTimeProvider Clock { get; } = new();
    public Tenant Generator { get; private set; } = null!;
    public Tenant Agent { get; private set; } = null!;
    public HttpClient Health { get; private set; } = null!;

    /// <summary>Creates the identity, lets <paramref name="arrange"/> prepare broker state, starts the agent and waits out its first tick.</summary>
    public static async Task<AgentRig> StartAsync(RestartableBroker broker, Func<AgentRig, Task>? arrange = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var kubernetes = await KubernetesStandIn.KubernetesStandIn.StartAsync(new KubernetesStandIn.StandInOptions { Token = KubernetesToken });
        var rig = new AgentRig(broker, kubernetes);
        try
        {
            await rig.CreateIdentityAsync();
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

    /// <summary>Fires the pending wait and returns the wait the loop chose after this tick.</summary>
    public async Task<TimeSpan> TickAsync()
    {
        var requests = Clock.RequestCount;
        Clock.Advance(Clock.RequestedDelays[^1]);
        return await Clock.WaitForTimerAsync(requests);
    }

    /// <summary>A new stack of the rig's generator, targeted at the agent.</summary>
    public async Task<Guid> StackAsync()
    {
        var generator = Broker.Client(Generator.Pak);
        var stack = (await generator.Send("POST", "/stacks", new { name = Fleet.Unique("stack"), generator_id = Generator.Id }).Expect(201)).Id();
        await generator.Send("POST", $"/agents/{Agent.Id}/targets", new { agent_id = Agent.Id, stack_id = stack }).Expect(201);
        return stack;
    }

    public async Task<Guid> DeployAsync(Guid stackId, string yaml, bool deletionMarker = false) =>
        (await Broker.Client(Generator.Pak).Send("POST", $"/stacks/{stackId}/deployment-objects",
            new { yaml_content = yaml, is_deletion_marker = deletionMarker }).Expect(201)).Id();

    /// <summary>The agent's events as the admin reads them: deployment object id → (status, message).</summary>
    public async Task<Dictionary<Guid, (string Status, string? Message)>> EventsAsync()
    {
        var events = await Broker.Admin.Send("GET", $"/agents/{Agent.Id}/events").Expect(200);
        return events.EnumerateArray().ToDictionary(e => e.Id("deployment_object_id"),
            e => (e.Str("status"), e.GetProperty("message").GetString()));
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

    public async Task<(int Status, JsonElement Body)> GetHealthAsync(string path)
    {
        using var response = await Health.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Health?.Dispose();
        await Kubernetes.DisposeAsync();
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }
    }

    private async Task CreateIdentityAsync()
    {
        var admin = Broker.Admin;
        var generator = await admin.Send("POST", "/generators", new { name = Fleet.Unique("gen") }).Expect(201);
        Generator = new Tenant(generator.GetProperty("generator").Id(), generator.Str("pak"));
        var agent = await admin.Send("POST", "/agents",
            new { name = Fleet.Unique("agent"), cluster_name = "rig", generator_ids = new[] { Generator.Id } }).Expect(201);
        Agent = new Tenant(agent.GetProperty("agent").Id(), agent.Str("initial_pak"));
        AgentName = agent.GetProperty("agent").Str("name");
        await admin.Send("PUT", $"/agents/{Agent.Id}", new { status = "ACTIVE" }).Expect(200);
    }

    public string AgentName { get; private set; } = "";

    private async Task StartAgentAsync(IReadOnlyDictionary<string, string?>? extra)
    {
        var kubeconfig = new StandInKubeconfig(Kubernetes.BaseAddress, KubernetesToken);
        _disposables.Add(kubeconfig);
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Brokkr:Agent:broker_url"] = Broker.BaseAddress.ToString(),
            ["Brokkr:Agent:pak"] = Agent.Pak,
            ["Brokkr:Agent:agent_name"] = AgentName,
            ["Brokkr:Agent:cluster_name"] = "rig",
            ["Brokkr:Agent:polling_interval"] = PollingInterval.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Brokkr:Agent:kubeconfig_path"] = kubeconfig.Path,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var builder = AgentApp.CreateBuilder([], settings);
        builder.Services.AddSingleton<TimeProvider>(Clock);
        _app = AgentApp.Build(builder);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Health = new HttpClient { BaseAddress = new Uri(address) };
    }
}
