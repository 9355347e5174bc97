using System.Text.Json;
using Brokkr.Broker.Api.V1.Admin;
using Brokkr.Broker.Api.V1.AgentEvents;
using Brokkr.Broker.Api.V1.Agents;
using Brokkr.Broker.Api.V1.Auth;
using Brokkr.Broker.Api.V1.DeploymentObjects;
using Brokkr.Broker.Api.V1.Diagnostics;
using Brokkr.Broker.Api.V1.Fleet;
using Brokkr.Broker.Api.V1.Generators;
using Brokkr.Broker.Api.V1.Health;
using Brokkr.Broker.Api.V1.Stacks;
using Brokkr.Broker.Api.V1.Templates;
using Brokkr.Broker.Api.V1.Webhooks;
using Brokkr.Broker.Api.V1.WorkOrders;
using Brokkr.Broker.Audit;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.AgentChannel;
using Brokkr.Broker.ChannelPresence;
using Brokkr.Broker.Configuration;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Brokkr.Broker.Metrics;
using Brokkr.Broker.OperatorConsole;
using Brokkr.Broker.StackTelemetry;
using Brokkr.Broker.Startup;
using Brokkr.Broker.Targeting;
using Brokkr.Broker.Webhooks;
using Brokkr.ServiceDefaults.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Brokkr.Broker;

/// <summary>
/// The broker as a composable application: <c>Program</c> runs it, tests start it in-process on
/// <c>http://127.0.0.1:0</c> with their own settings.
/// </summary>
public static class BrokerApp
{
    public const string DefaultUrl = "http://0.0.0.0:3000";
    public const string ReadyTag = "ready";

    /// <param name="args">Command-line arguments (<c>--urls</c>, <c>--Brokkr:Broker:pak_hash=...</c>, ...).</param>
    /// <param name="settings">Extra settings that win over every other source (tests use these).</param>
    public static WebApplicationBuilder CreateBuilder(string[] args, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddBrokkrConfigFile();
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        // Brokkr's broker listens on port 3000 unless ASPNETCORE_URLS or --urls say otherwise.
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.AddServiceDefaults();
        // The health check service logs every unhealthy probe at Error; DatabaseHealthCheck logs each readiness change
        // with its cause instead, so an outage is not one error line per probe.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.Critical);
        var services = builder.Services;
        services.Configure<BrokerOptions>(builder.Configuration.GetSection(BrokerOptions.Section));
        services.Configure<PakOptions>(builder.Configuration.GetSection(PakOptions.Section));
        var brokerOptions = builder.Configuration.GetSection(BrokerOptions.Section).Get<BrokerOptions>() ?? new BrokerOptions();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = brokerOptions.MaxRequestBodyBytes);

        var connectionString = DatabaseConnection.Resolve(builder.Configuration);
        var dataSource = new NpgsqlDataSourceBuilder(connectionString).Build();
        // Registered through a factory so the container disposes it (and its pooled connections) with the app.
        services.AddSingleton(_ => dataSource);
        services.AddKeyedSingleton(NotificationListener.DataSourceKey, (_, _) => NotificationListener.CreateDataSource(connectionString));
        // Pooled: a request rents a reset context instead of building one (and its service scope's EF services),
        // and the options are built once for the pool, not for every request.
        services.AddDbContextPool<BrokkrDbContext>((sp, options) => options
            .UseNpgsql(dataSource)
            // The schema comes from hand-written migrations without a model snapshot (no EF design-time tooling
            // here), so EF always believes the model has pending changes; the migration is the source of truth.
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)
                // A failed command is logged by EF twice at Error, with a stack trace — for every client's
                // duplicate name too. The broker logs failures where it knows what they mean: ErrorMappingMiddleware
                // (a refused request at Information, anything else at Error), background services, startup.
                .Log((RelationalEventId.CommandError, LogLevel.Debug), (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                    (CoreEventId.QueryIterationFailed, LogLevel.Debug),
                    // A database outage is logged once by DatabaseOutage, not by EF for every request it fails.
                    (RelationalEventId.ConnectionError, LogLevel.Debug)))
            .UseDatabaseMetrics(sp));
        // The agents' poll path on a pool of its own with auto-prepared statements (PollingCommands says why).
        services.AddKeyedSingleton(PollingCommands.DataSourceKey,
            (_, _) => new NpgsqlDataSourceBuilder(DatabaseConnection.ForPolling(connectionString)).Build());
        services.AddSingleton<PollingCommands>();
        services.AddSingleton<DeploymentObjectJson>();

        builder.EnrichNpgsqlDbContext<BrokkrDbContext>(aspire =>
        {
            // Npgsql's metrics and traces come from Aspire. Retries do not: Aspire's retrying execution strategy
            // refuses the explicit transactions the API's writes run in (row locks, read-then-write), and replaying
            // a whole transaction would repeat its side effects (counted events, cache updates). A transient failure
            // is answered 503 database_unavailable with Retry-After (DatabaseOutage), and the caller — an agent on
            // its next poll, an operator's client — retries the request as a whole.
            aspire.DisableRetry = true;
            // Readiness keeps DatabaseHealthCheck, which caches its verdict so probes do not query every time.
            aspire.DisableHealthChecks = true;
        });

        services.AddSingleton<PakFormat>();
        services.AddSingleton<ConsoleCredential>();
        services.AddSingleton<AuthCache>();
        services.AddSingleton<PakRevocations>();
        services.AddSingleton<AuthFailureLimiter>();
        services.AddScoped<PakResolver>();
        services.AddSingleton<DefaultAdminKeyMonitor>();
        services.AddHostedService<DatabaseInitializer>();
        // After the initializer: it listens on a migrated database.
        services.AddHostedService<NotificationListener>();
        services.AddHostedService(sp => sp.GetRequiredService<DefaultAdminKeyMonitor>());
        services.AddBrokerMetrics(builder.Configuration);
        services.AddSingleton(TimeProvider.System);
        // A singleton, so its two-second verdict cache outlives one probe.
        services.AddSingleton<DatabaseHealthCheck>();
        services.AddSingleton<DatabaseOutage>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag]);
        services.AddBrokerHealthResponses();
        services.AddBrokerCors(builder.Configuration);
        services.AddHostedService<AgentEventRetention>();
        services.AddHostedService<WorkOrderMaintenance>();
        services.AddHostedService<DiagnosticMaintenance>();
        services.AddWebhooks(builder.Configuration);
        services.AddAudit(builder.Configuration);
        services.AddSingleton(_ => new ConfigReloader(builder.Configuration));
        services.AddSingleton<ReplicaIdentity>();
        services.AddSingleton<ConfigReloadFanOut>();
        services.AddAgentChannel();
        services.AddStackTelemetry(builder.Configuration);
        services.AddChannelPresence();

        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.RespectNullableAnnotations = true;
            json.SerializerOptions.RespectRequiredConstructorParameters = true;
        });
        // Binding failures (a non-UUID path segment, a bad query value) throw so ErrorMappingMiddleware answers
        // with the envelope instead of an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi();
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.UseBrokerMetrics();
        // Created now so the webhook families are exported from the first scrape.
        app.Services.GetRequiredService<WebhookMetrics>();
        app.Services.GetRequiredService<ChannelMetrics>();
        app.Services.GetRequiredService<TelemetryMetrics>();
        app.UseMiddleware<ErrorMappingMiddleware>();
        app.UseBrokerCors();
        // A browser's live-tail PAK arrives as a subprotocol; lifted into Authorization before authentication.
        app.UseLivePakSubprotocol();
        // The agent channel authenticates its upgrade like any API request: 401 before a socket exists.
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api/v1") || context.Request.Path.StartsWithSegments(AgentChannelEndpoint.Path),
            api => api.UseMiddleware<AuthenticationMiddleware>());
        app.UseWebSockets(new WebSocketOptions
        {
            KeepAliveInterval = AgentChannelEndpoint.KeepAliveInterval,
            KeepAliveTimeout = AgentChannelEndpoint.KeepAliveTimeout,
        });

        app.MapDefaultEndpoints();
        app.MapOpenApi();
        app.MapGroup("/api/v1")
            // Before the routes: the group's filter audits every write route AuditedRoutes lists.
            .WithAudit()
            .MapAuthApi()
            .MapGeneratorsApi()
            .MapAgentsApi()
            .MapStacksApi()
            .MapDeploymentObjectsApi()
            .MapTemplatesApi()
            .MapAgentEventsApi()
            .MapDeploymentHealthApi()
            .MapWorkOrdersApi()
            .MapDiagnosticsApi()
            .MapWebhooksApi()
            .MapFleetApi()
            .MapStackTelemetryApi()
            .MapLiveTailApi()
            .MapAdminApi()
            .MapWsConnectionsApi();
        app.MapAgentChannel();
        // Last: the console answers every GET path nothing above owns.
        app.MapConsole();
        return app;
    }

    public static WebApplication Create(string[] args) => Build(CreateBuilder(args));
}
