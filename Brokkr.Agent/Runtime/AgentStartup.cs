using System.Net;
using Brokkr.Agent.Broker;
using Brokkr.Agent.Configuration;
using Brokkr.Agent.Kubernetes;

namespace Brokkr.Agent.Runtime;

/// <summary>A startup step that cannot succeed; the agent exits non-zero (brokkr-core.md §7.1).</summary>
public sealed class AgentStartupException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// brokkr-core.md §7.1 steps 2–6: wait for the broker (bounded), check the PAK, find the agent's own record by name
/// and cluster, register with the configured generators, and verify the Kubernetes API answers.
/// </summary>
public sealed class AgentStartup(BrokerClient broker, Lazy<IKubernetesClient> kubernetes, AgentSettings settings,
    AgentRuntimeState state, TimeProvider time, ILogger<AgentStartup> log)
{
    public static readonly TimeSpan ReadinessRetryDelay = TimeSpan.FromSeconds(1);

    public async Task<AgentRecord> RunAsync(CancellationToken cancellationToken)
    {
        if (settings.UsesDevelopmentPak)
        {
            log.LogWarning("No agent PAK configured (BROKKR__AGENT__PAK): using the public development key, which only works against a development broker");
        }

        await WaitForBrokerAsync(cancellationToken);
        var self = await FindSelfAsync(cancellationToken);
        state.Self = self;
        await RegisterWithGeneratorsAsync(cancellationToken);
        await VerifyKubernetesAsync(cancellationToken);
        log.LogInformation("Agent {AgentName} in cluster {ClusterName} is {AgentId} (status {Status}); polling every {Interval} s",
            self.Name, self.ClusterName, self.Id, self.Status, settings.PollingInterval.TotalSeconds);
        return self;
    }

    private async Task WaitForBrokerAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= settings.MaxRetries; attempt++)
        {
            if (await broker.IsReadyAsync(cancellationToken))
            {
                return;
            }

            log.LogInformation("Broker at {BrokerUrl} not ready (attempt {Attempt} of {MaxRetries})",
                settings.BrokerUrl, attempt, settings.MaxRetries);
            if (attempt < settings.MaxRetries)
            {
                await Task.Delay(ReadinessRetryDelay, time, cancellationToken);
            }
        }

        throw new AgentStartupException(
            $"broker at {settings.BrokerUrl} did not become ready after {settings.MaxRetries} attempts");
    }

    private async Task<AgentRecord> FindSelfAsync(CancellationToken cancellationToken)
    {
        try
        {
            var identity = await broker.WhoAmIAsync(cancellationToken);
            var self = await broker.FindAgentAsync(settings.AgentName, settings.ClusterName, cancellationToken);
            if (identity.Agent is { } agentId && agentId != self.Id)
            {
                throw new AgentStartupException($"the PAK belongs to agent {agentId}, not to {settings.AgentName}/{settings.ClusterName}");
            }

            return self;
        }
        catch (BrokerApiException e) when (e.StatusCode == HttpStatusCode.Unauthorized)
        {
            throw new AgentStartupException("the broker rejected the agent PAK (401); check BROKKR__AGENT__PAK", e);
        }
        catch (BrokerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new AgentStartupException(
                $"the broker has no agent named '{settings.AgentName}' in cluster '{settings.ClusterName}'; create it first (POST /api/v1/agents)", e);
        }
        catch (Exception e) when (e is BrokerApiException or BrokerUnreachableException)
        {
            throw new AgentStartupException($"could not look up the agent's own record: {e.Message}", e);
        }
    }

    private async Task RegisterWithGeneratorsAsync(CancellationToken cancellationToken)
    {
        foreach (var malformed in settings.MalformedGeneratorIds)
        {
            log.LogWarning("Skipping generator id '{GeneratorId}': not a UUID", malformed);
        }

        foreach (var generatorId in settings.GeneratorIds)
        {
            try
            {
                var created = await broker.RegisterWithGeneratorAsync(generatorId, cancellationToken);
                log.LogInformation(created ? "Registered with generator {GeneratorId}" : "Already registered with generator {GeneratorId}",
                    generatorId);
            }
            catch (Exception e) when (e is BrokerApiException or BrokerUnreachableException)
            {
                log.LogError("Could not register with generator {GeneratorId}: {Error}", generatorId, e.Message);
            }
        }
    }

    private async Task VerifyKubernetesAsync(CancellationToken cancellationToken)
    {
        IKubernetesClient client;
        try
        {
            client = kubernetes.Value;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new AgentStartupException($"no usable Kubernetes configuration: {e.Message}", e);
        }

        try
        {
            var version = await client.GetVersionAsync(cancellationToken);
            state.KubernetesReachable();
            log.LogInformation("Kubernetes API {Server} ({Source}) answers, version {Version}",
                client.Connection.Server, client.Connection.Source, version["gitVersion"]?.ToString());
        }
        catch (KubernetesApiException e)
        {
            state.KubernetesUnreachable(e.Message);
            throw new AgentStartupException($"Kubernetes API at {client.Connection.Server} is not usable: {e.Message}", e);
        }
    }
}
