using Brokkr.Agent.Channel;
using Brokkr.Agent.Kubernetes;
using Brokkr.Agent.Runtime;

namespace Brokkr.Agent.Telemetry;

/// <summary>
/// Runs the telemetry passes (<see cref="KubeEventStreamer"/>, <see cref="PodLogStreamer"/>) every
/// <see cref="Interval"/>, only while the broker channel is up and the agent knows its identity: telemetry has no
/// REST fallback, so while the channel is down nothing is collected. A failed pass (the cluster unreachable) is
/// skipped; the next one tries again.
/// </summary>
public sealed partial class TelemetryStreamer(BrokerChannel channel, AgentRuntimeState state, Lazy<IKubernetesClient> kubernetes,
    TelemetryUplink uplink, Configuration.AgentSettings settings, TimeProvider time, ILogger<TelemetryStreamer> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.WsForceRest)
        {
            return;
        }
        // The queue drains through the channel's one sender, beside the passes.
        var pump = uplink.PumpAsync(channel.TrySendAsync, stoppingToken);
        try
        {
            await RunPassesAsync(stoppingToken);
        }
        finally
        {
            await pump;
        }
    }

    private async Task RunPassesAsync(CancellationToken stoppingToken)
    {
        KubeEventStreamer? events = null;
        PodLogStreamer? logs = null;
        using var timer = new PeriodicTimer(Interval);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await timer.WaitForNextTickAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (!channel.IsConnected || state.Self is not { IsActive: true } self)
            {
                continue;
            }
            try
            {
                if (events is null || logs is null)
                {
                    // One object cache for both, kept across passes.
                    var stacks = new ManagedStacks(kubernetes.Value, time);
                    events = new KubeEventStreamer(kubernetes.Value, stacks, uplink, settings);
                    logs = new PodLogStreamer(kubernetes.Value, stacks, uplink, settings);
                }
                await events.RunOnceAsync(self.Id, state.StartedAt.AddMinutes(-1), stoppingToken);
                await logs.RunOnceAsync(self.Id, Interval, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(log, e.Message);
            }
        }
    }

    [LoggerMessage(LogLevel.Debug, "Telemetry pass failed (retrying at the next one): {Error}")]
    private static partial void LogFailed(ILogger logger, string error);
}
