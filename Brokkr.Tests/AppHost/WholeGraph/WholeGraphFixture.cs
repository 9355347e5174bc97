using Brokkr.AppHost.Hosting;
using Brokkr.Tests.AppHost.Testing;
using Brokkr.Tests.Broker;

namespace Brokkr.Tests.AppHost.WholeGraph;

[CollectionDefinition(Name)]
public sealed class WholeGraphCollection : ICollectionFixture<WholeGraphFixture>
{
    public const string Name = "AppHost whole graph";
}

/// <summary>
/// The AppHost's whole model — PostgreSQL, broker, agent, Kubernetes stand-in, Prometheus — started once for the tests of
/// the collection, on free ports with a throwaway data folder, as a user's <c>dotnet run --project Brokkr.AppHost</c> would.
/// The agent polls every second so a journey does not wait on the default interval.
/// </summary>
public sealed class WholeGraphFixture : IAsyncLifetime
{
    public static readonly string[] Services = ["broker", "agent", "kubernetes", "prometheus"];

    private TestingApplication? _app;

    public TestingApplication App => _app ?? throw new InvalidOperationException("not started");

    public string DataDirectory { get; private set; } = "";

    public DistributedApplicationExecutionContext ExecutionContext { get; private set; } = null!;

    /// <summary>The broker as its administrator (the public development admin PAK the local broker accepts).</summary>
    public HttpClient Admin { get; private set; } = null!;

    public PrometheusApi Prometheus { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = (await DistributedApplicationTestingBuilder.CreateAsync<Projects.Brokkr_AppHost>())
            .WithEnvironment("agent", "BROKKR__AGENT__POLLING_INTERVAL", "1");
        DataDirectory = builder.DataDirectory;
        ExecutionContext = builder.ExecutionContext;
        _app = await builder.BuildAsync();
        await _app.StartAsync();
        foreach (var service in Services)
        {
            await _app.WaitForResourceHealthyAsync(service, TimeSpan.FromMinutes(3));
        }

        Admin = _app.CreateHttpClient("broker");
        Admin.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + BrokerHost.DevAdminPak);
        Prometheus = new PrometheusApi(_app.CreateHttpClient("prometheus"));
    }

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
    }
}
