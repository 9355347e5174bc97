using Brokkr.AppHost;
using Brokkr.AppHost.Agent;
using Brokkr.AppHost.Kubernetes;
using Brokkr.AppHost.Postgres;
using Brokkr.AppHost.Prometheus;

var builder = DistributedApplication.CreateBuilder(args);

var db = builder.AddBrokkrPostgres("postgres", "brokkr");

var broker = builder.AddProject<Projects.Brokkr_Broker>("broker", launchProfileName: null)
    .WithServiceHttpEndpoint(3000)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/readyz")
    // The connection string is all the broker reads; Aspire would also pass its parts (password included) one by one.
    .WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ConnectionString)
    .WithReference(db)
    .WaitFor(db)
    .WithUrlsReported($"API: /api/v1 with the public development admin PAK {AgentIdentity.DevelopmentAdminPak} (set BROKKR__BROKER__PAK_HASH for anything shared)");

var agent = builder.AddProject<Projects.Brokkr_Agent>("agent", launchProfileName: null)
    .WithServiceHttpEndpoint(8080)
    .WithHttpHealthCheck("/readyz")
    .WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ServiceDiscovery)
    .WithReference(broker)
    .WithEnvironment("BROKKR__AGENT__BROKER_URL", broker.GetEndpoint("http"))
    .WithAgentIdentity(broker)
    .WaitFor(broker)
    .WithUrlsReported();

// Without a cluster to talk to, the agent gets the Kubernetes API stand-in (local runs only: a deployment has a cluster).
if (builder.ExecutionContext.IsRunMode && Kubeconfig.UseStandIn(builder.Configuration))
{
    var kubernetes = builder.AddKubernetesStandIn("kubernetes");
    agent.WithKubeconfigFor(kubernetes).WaitFor(kubernetes);
}

builder.AddBrokkrPrometheus("prometheus")
    .WithScrapeTarget(broker, "brokkr-broker")
    .WithScrapeTarget(agent, "brokkr-agent")
    .WithUrlsReported();

return builder.Build().RunToExitCode();
