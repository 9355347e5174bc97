using System.Net.Http.Headers;
using Brokkr.Agent.Broker;
using Brokkr.Agent.Channel;
using Brokkr.Agent.Configuration;
using Brokkr.Agent.DeploymentHealth;
using Brokkr.Agent.Diagnostics;
using Brokkr.Agent.Health;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Metrics;
using Brokkr.Agent.Reconcile;
using Brokkr.Agent.Runtime;
using Brokkr.Agent.WorkOrders;
using Brokkr.ServiceDefaults;
using Brokkr.ServiceDefaults.Configuration;
using Brokkr.ServiceDefaults.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Brokkr.Agent;

/// <summary>
/// The agent as a composable application: a worker (startup + control loop) with a small Kestrel server on the
/// health port for /healthz, /readyz, /health and /metrics. <c>Program</c> runs it; tests start it in-process on
/// <c>http://127.0.0.1:0</c> with their own settings (and may replace the <see cref="TimeProvider"/> to step the loop).
/// </summary>
public static class AgentApp
{
    public static readonly TimeSpan BrokerRequestTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan BrokerConnectTimeout = TimeSpan.FromSeconds(10);

    /// <param name="args">Command-line arguments (<c>--urls</c>, <c>--Brokkr:Agent:broker_url=...</c>, ...).</param>
    /// <param name="settings">Extra settings that win over every other source (tests use these).</param>
    /// <exception cref="InvalidOperationException">The agent configuration is invalid.</exception>
    public static WebApplicationBuilder CreateBuilder(string[] args, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddBrokkrConfigFile();
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        var agent = AgentSettings.From(builder.Configuration);
        // The health server listens on the health port unless ASPNETCORE_URLS or --urls say otherwise.
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls($"http://0.0.0.0:{agent.HealthPort}");
        }

        // IHttpClientFactory logs four lines per request at Information: noise at one poll per interval. The agent
        // logs failures itself; "Logging:LogLevel:System.Net.Http.HttpClient.BrokerClient" brings them back.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.AddServiceDefaults();
        var services = builder.Services;
        services.AddSingleton(agent);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AgentRuntimeState>();
        services.AddSingleton<AgentMetrics>();
        services.AddSingleton<TargetStateCache>();
        services.AddSingleton(sp => new Lazy<IKubernetesClient>(() => new KubernetesClient(
            KubernetesConnectionResolver.Resolve(agent.KubeconfigPaths, Environment.GetEnvironmentVariable),
            agent.KubernetesRequestTimeout, sp.GetRequiredService<AgentMetrics>())));
        var brokerClient = services.AddHttpClient<BrokerClient>(http =>
            {
                http.BaseAddress = agent.BrokerUrl;
                // The resilience handler times each attempt and the whole request; HttpClient's own timeout would cut it short.
                http.Timeout = Timeout.InfiniteTimeSpan;
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", agent.Pak);
                http.DefaultRequestHeaders.UserAgent.ParseAdd("brokkr-agent/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { ConnectTimeout = BrokerConnectTimeout })
            .AddBrokerResilience(BrokerRequestTimeout)
            .RedactLoggedHeaders(["Authorization"]);
        // Only for the discovered name: an explicit BROKKR__AGENT__BROKER_URL is used as it is.
        if (agent.BrokerUrl == new Uri(AgentSettings.DiscoveredBrokerUrl))
        {
            brokerClient.AddServiceDiscovery();
        }
        services.AddSingleton<AgentStartup>();
        services.AddSingleton<HeartbeatSender>();
        services.AddSingleton(sp => new Lazy<StackReconciler>(() => new StackReconciler(
            sp.GetRequiredService<Lazy<IKubernetesClient>>().Value,
            new ReconcileOptions { WatchNamespace = agent.WatchNamespace }, sp.GetRequiredService<AgentMetrics>(),
            sp.GetRequiredService<ILogger<StackReconciler>>())));
        services.AddSingleton<DepartedStackCleanup>();
        services.AddSingleton<ReconcileCycle>();
        services.AddSingleton<DeploymentHealthReporter>();
        services.AddSingleton<WorkOrderMetrics>();
        services.AddSingleton<AgentChannelMetrics>();
        services.AddSingleton(sp =>
        {
            var kubernetes = sp.GetRequiredService<Lazy<IKubernetesClient>>();
            var time = sp.GetRequiredService<TimeProvider>();
            var types = new Dictionary<string, Func<IWorkOrderType>>
            {
                [CustomWorkOrder.WorkType] = () => new CustomWorkOrder(kubernetes.Value, new JobWatcher(kubernetes.Value, time), agent.WatchNamespace),
                [BuildWorkOrder.WorkType] = () => new BuildWorkOrder(kubernetes.Value, new JobWatcher(kubernetes.Value, time), agent.WatchNamespace),
            };
            return new WorkOrderRunner(sp.GetRequiredService<BrokerClient>(), types, sp.GetRequiredService<WorkOrderMetrics>(), time,
                sp.GetRequiredService<ILogger<WorkOrderRunner>>());
        });
        services.AddSingleton<DiagnosticMetrics>();
        services.AddSingleton(sp => new DiagnosticRunner(sp.GetRequiredService<BrokerClient>(),
            () => new DiagnosticCollector(sp.GetRequiredService<Lazy<IKubernetesClient>>().Value, agent, sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<DiagnosticMetrics>(), sp.GetRequiredService<ILogger<DiagnosticRunner>>()));
        services.AddSingleton<WebhookRelay>();
        services.AddSingleton<LoopWakeUp>();
        services.AddSingleton<BrokerChannel>();
        services.AddSingleton<BrokerUplink>();
        services.AddSingleton<Telemetry.TelemetryUplink>();
        services.AddHostedService<Telemetry.TelemetryStreamer>();
        services.AddHostedService<AgentWorker>();

        services.AddHealthChecks()
            .AddCheck<BrokerHealthCheck>(BrokerHealthCheck.Name, tags: [HealthTags.Ready])
            .AddCheck<KubernetesHealthCheck>(KubernetesHealthCheck.Name, tags: [HealthTags.Ready]);
        services.AddAgentHealthResponses();
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        // The MeterProvider must listen before the instruments record their zeros (measurements made before it
        // subscribes are lost), and the families must exist before the first scrape: resolve in that order.
        app.Services.GetRequiredService<BrokkrMetrics>();
        app.Services.GetRequiredService<AgentMetrics>();
        app.Services.GetRequiredService<WorkOrderMetrics>();
        app.Services.GetRequiredService<DiagnosticMetrics>();
        app.Services.GetRequiredService<AgentChannelMetrics>();
        app.MapDefaultEndpoints();
        return app;
    }

    /// <summary>Runs the agent until it is stopped; the process exit code: 0, or 1 when startup failed.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = Build(CreateBuilder(args));
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }

        var state = app.Services.GetRequiredService<AgentRuntimeState>();
        await app.RunAsync();
        return state.StartupFailure is null ? 0 : 1;
    }
}
