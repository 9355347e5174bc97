using Brokkr.Agent.Broker;
using Brokkr.Agent.Channel;
using Brokkr.Agent.Configuration;
using Brokkr.Agent.DeploymentHealth;
using Brokkr.Agent.Diagnostics;
using Brokkr.Agent.WorkOrders;

namespace Brokkr.Agent.Runtime;

/// <summary>
/// Runs startup, then the control loop (brokkr-core.md §7.2): every tick a heartbeat and, for an ACTIVE agent, a
/// reconcile; the next tick after the polling interval, or after a growing, jittered wait while the broker is
/// unreachable. Waits use the injected <see cref="TimeProvider"/> so tests can step the loop. Nothing that happens
/// inside a tick stops the loop; a failed startup stops the host and marks the process for exit code 1.
/// </summary>
public sealed class AgentWorker(AgentStartup startup, HeartbeatSender heartbeat, ReconcileCycle reconcile,
    DeploymentHealthReporter deploymentHealth, WorkOrderRunner workOrders, DiagnosticRunner diagnostics, WebhookRelay webhooks,
    AgentSettings settings, AgentRuntimeState state, TimeProvider time, IHostApplicationLifetime lifetime,
    BrokerChannel channel, LoopWakeUp wakeUp, ILogger<AgentWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        AgentRecord self;
        try
        {
            self = await startup.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            log.LogCritical("Agent startup failed: {Error}", e.Message);
            state.StartupFailure = e.Message;
            lifetime.StopApplication();
            return;
        }

        // After startup: the channel needs the agent's identity to exist, and only shortens the waits below.
        channel.Start(stoppingToken);
        var backoff = new BrokerBackoff(settings.PollingInterval, settings.MaxBackoff, Random.Shared);
        var inactiveLogged = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            bool brokerReachable;
            try
            {
                brokerReachable = await heartbeat.SendAsync(self.Id, stoppingToken);
                var current = state.Self ?? self;
                if (current.IsActive)
                {
                    // Polled even when the heartbeat failed, so poll error metrics (and their alert) see the outage.
                    inactiveLogged = false;
                    brokerReachable &= await reconcile.RunAsync(current, stoppingToken);
                    if (brokerReachable)
                    {
                        await deploymentHealth.RunIfDueAsync(current, stoppingToken);
                        if (settings.WorkOrdersEnabled)
                        {
                            // Only starts an order; it runs in the background so the loop keeps its pace.
                            await workOrders.PollAsync(current, stoppingToken);
                        }
                        if (settings.DiagnosticsEnabled)
                        {
                            // Like work orders: only claims; collection runs in the background.
                            await diagnostics.PollAsync(current, stoppingToken);
                        }
                        await webhooks.RunAsync(current, stoppingToken);
                    }
                }
                else if (!inactiveLogged)
                {
                    log.LogInformation("Agent status is {Status}, not ACTIVE: only heartbeats run until an admin activates it", current.Status);
                    inactiveLogged = true;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A bug in one tick must not end the agent: log it and try again next tick.
                log.LogError(e, "Control loop tick failed");
                brokerReachable = true;
            }

            var delay = brokerReachable ? backoff.Succeeded() : backoff.Failed();
            if (!brokerReachable)
            {
                log.LogWarning("Broker unreachable ({Failures} in a row): next attempt in {Delay:0.0} s",
                    backoff.ConsecutiveFailures, delay.TotalSeconds);
            }

            try
            {
                // A change the broker pushed ends the wait early: the next tick reconciles it now.
                await wakeUp.DelayAsync(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
