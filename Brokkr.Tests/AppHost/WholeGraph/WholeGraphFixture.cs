using Microsoft.Extensions.Configuration;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.AppHost.WholeGraph;

[CollectionDefinition(Name)]
public sealed class WholeGraphCollection : ICollectionFixture<WholeGraphFixture>
{
    public const string Name = "AppHost whole graph";
}

/// <summary>
/// The AppHost's whole model — PostgreSQL, broker, agent, Kubernetes stand-in, Prometheus and the Aspire dashboard —
/// started once for the tests of the collection through Aspire.Hosting.Testing, on free ports with a throwaway data
/// folder and HOME, as a user's <c>dotnet run --project Brokkr.AppHost</c> would. The agent polls every second so a
/// journey does not wait on the default interval.
/// </summary>
public sealed class WholeGraphFixture : IAsyncLifetime
{
    public static readonly string[] Services = ["postgres", "brokkr", "broker", "agent", "kubernetes", "prometheus"];

    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("not started");

    public string DataDirectory { get; private set; } = "";

    /// <summary>The dashboard's login token (its browser token), so a browser can sign in.</summary>
    public string DashboardToken { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Time from StartAsync until every resource was healthy.</summary>
    public TimeSpan TimeToHealthy { get; private set; }

    /// <summary>The broker as its administrator (the public development admin PAK the local broker accepts).</summary>
    public HttpClient Admin { get; private set; } = null!;

    public PrometheusApi Prometheus { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var (builder, data) = await AppHostTesting.CreateAsync(dashboardToken: DashboardToken);
        DataDirectory = data;
        builder.CreateResourceBuilder<ProjectResource>("agent").WithEnvironment("BROKKR__AGENT__POLLING_INTERVAL", "1");
        _app = await builder.BuildAsync();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await _app.StartAsync();
        foreach (var service in Services)
        {
            await _app.WaitForHealthyAsync(service);
        }

        TimeToHealthy = started.Elapsed;
        using (var dashboardWait = new CancellationTokenSource(AppHostTesting.StartTimeout))
        {
            await _app.ResourceNotifications.WaitForResourceAsync("aspire-dashboard", KnownResourceStates.Running, dashboardWait.Token);
        }

        Admin = _app.CreateHttpClient("broker");
        Admin.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + BrokerHost.DevAdminPak);
        Prometheus = new PrometheusApi(_app.CreateHttpClient("prometheus"));
    }

    /// <summary>The dashboard's address, as its resource reports it.</summary>
    public Uri DashboardUrl => App.ResourceNotifications.TryGetCurrentState("aspire-dashboard", out var dashboard) &&
                               dashboard.Snapshot.Urls.FirstOrDefault(u => u.Name == "http") is { } url
        ? new Uri(new Uri(url.Url), "/")
        : throw new InvalidOperationException("the dashboard reports no URL; configured: " +
                                              App.Services.GetRequiredService<IConfiguration>()["ASPNETCORE_URLS"]);

    /// <summary>The agent the AppHost provisioned for the local agent process (name <c>local-agent</c>, cluster <c>local</c>).</summary>
    public async Task<Guid> LocalAgentIdAsync()
    {
        var self = await Admin.Send("GET", "/agents/?name=local-agent&cluster_name=local").Expect(200);
        return self.Id();
    }

    public async Task DisposeAsync()
    {
        Admin?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        AppHostTesting.DeleteData(DataDirectory);
    }
}
