using Brokkr.KubernetesStandIn.Api;
using Brokkr.KubernetesStandIn.Discovery;
using Brokkr.KubernetesStandIn.Faults;
using Brokkr.KubernetesStandIn.Fixtures;
using Brokkr.KubernetesStandIn.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Brokkr.KubernetesStandIn;

/// <summary>
/// A Kubernetes API server stand-in over real HTTP: discovery from the recorded fixtures, server-side apply, get,
/// list, delete, Status errors, plus fault injection. Start it in-process with <see cref="StartAsync"/>, or run the
/// project (<c>dotnet run --project Brokkr.KubernetesStandIn -- --urls http://127.0.0.1:6443</c>).
/// </summary>
public sealed class KubernetesStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KubernetesStandIn(StandInOptions options, string[] args)
    {
        RequiredToken = options.Token;
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(builder.Configuration["urls"] ?? options.Url);
        if (options.ServerCertificate is not null)
        {
            StandInTls.Configure(builder.WebHost, options.ServerCertificate, options.ClientCertificateAuthority);
        }
        var fixturesPath = options.FixturesPath ?? builder.Configuration["fixtures"];
        var catalog = new DiscoveryCatalog(
            fixturesPath is null ? RecordedFixtures.Embedded : RecordedFixtures.FromDirectory(fixturesPath));
        Store = new ObjectStore();
        Lifecycle = new ClusterLifecycle(Store, catalog, TimeProvider.System) { CrdEstablishDelay = options.CrdEstablishDelay };
        Lifecycle.SeedNamespaces("default", "kube-system", "kube-public", "kube-node-lease");
        if (options.Shipwright || builder.Configuration["shipwright"] == "true")
        {
            Lifecycle.InstallCustomResourceDefinitions(BuildRunController.Definitions());
        }
        Workloads = new Workloads(Store, catalog, TimeProvider.System);
        builder.Services.AddSingleton(catalog).AddSingleton(Store).AddSingleton(Lifecycle).AddSingleton(Workloads).AddSingleton(Faults)
            .AddSingleton(TimeProvider.System).AddSingleton<ServerSideApply>().AddSingleton<ResourceOperations>();
        _app = builder.Build();
        _app.UseStandInFaultsAndAuth(this);
        _app.MapDiscoveryApi();
        _app.MapPodLogApi();
        _app.MapResourceApi();
        _app.MapAdminApi();
    }

    public FaultInjector Faults { get; } = new();
    public ObjectStore Store { get; }
    public ClusterLifecycle Lifecycle { get; }

    /// <summary>Pods, events and container logs, which tests seed in place of kubelet and controllers.</summary>
    public Workloads Workloads { get; }

    /// <summary>The bearer token requests must carry; null accepts any request. May change mid-test.</summary>
    public string? RequiredToken { get; set; }

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<KubernetesStandIn> StartAsync(StandInOptions? options = null, string[]? args = null)
    {
        var standIn = new KubernetesStandIn(options ?? new StandInOptions(), args ?? []);
        await standIn._app.StartAsync();
        var address = standIn._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        standIn.BaseAddress = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        return standIn;
    }

    /// <summary>Runs until the process is stopped; used by Program.</summary>
    public static async Task RunAsync(string[] args)
    {
        await using var standIn = await StartAsync(new StandInOptions { Url = "http://127.0.0.1:6443" }, args);
        Console.WriteLine($"Kubernetes stand-in listening on {standIn.BaseAddress}");
        await standIn._app.WaitForShutdownAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
