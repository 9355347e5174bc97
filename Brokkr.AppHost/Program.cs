using Brokkr.AppHost.Brokkr;
using Brokkr.AppHost.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

var postgres = builder.AddPostgres("postgres").WithDataVolume();
var db = postgres.AddDatabase("brokkr");

var broker = builder.AddProject("broker", "../Brokkr.Broker/Brokkr.Broker.csproj")
    .WithHttpEndpoint(targetPort: 3000)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/readyz")
    .WithReference(db)
    .WaitFor(db)
    .WithNote($"API: /api/v1 with the public development admin PAK {AgentIdentity.DevelopmentAdminPak} (set BROKKR__BROKER__PAK_HASH for anything shared)");

var agent = builder.AddProject("agent", "../Brokkr.Agent/Brokkr.Agent.csproj")
    .WithHttpEndpoint(targetPort: 8080)
    .WithHttpHealthCheck("/readyz")
    .WithReference(broker)
    .WithEnvironment("BROKKR__AGENT__BROKER_URL", broker.GetEndpoint("http"))
    .WithAgentIdentity(broker)
    .WaitFor(broker);

// Without a cluster to talk to, the agent gets the Kubernetes API stand-in (local runs only: a deployment has a cluster).
if (builder.ExecutionContext.IsRunMode && Kubeconfig.UseStandIn(builder.Configuration))
{
    var kubernetes = builder.AddKubernetesStandIn("kubernetes");
    agent.WithKubeconfigFor(kubernetes).WaitFor(kubernetes);
}

// Deployed, it scrapes the services by their resource names (deploy/prometheus/prometheus.container.yml); run here, it
// gets a generated configuration for the local ports instead.
builder.AddContainer("prometheus", "prom/prometheus", "v3.2.1")
    .WithBindMount("../deploy/prometheus", "/etc/prometheus", isReadOnly: true)
    .WithArgs("--config.file=/etc/prometheus/prometheus.container.yml")
    .WithHttpEndpoint(targetPort: 9090)
    .WithHttpHealthCheck("/-/ready")
    .WithScrapeTarget(broker, "brokkr-broker")
    .WithScrapeTarget(agent, "brokkr-agent");

builder.Build().Run();
