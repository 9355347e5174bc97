using Brokkr.Agent.Broker;

namespace Brokkr.Agent.Runtime;

/// <summary>
/// One run at a time of work the control loop hands out beside itself (work orders, diagnostics): a tick lists what
/// is pending for this agent only while no run is under way — a broker failure is logged and retried next tick — and
/// starts the run in the background, so heartbeats and reconciles go on meanwhile.
/// </summary>
public sealed class BackgroundWork(ILogger log, string what)
{
    private Task _running = Task.CompletedTask;

    /// <summary>The run under way, if any (tests wait on it).</summary>
    public Task Running => _running;

    /// <summary>The pending items, or null while a run is under way or when the broker could not list them.</summary>
    public async Task<List<T>?> ListPendingAsync<T>(Func<Task<List<T>>> list)
    {
        if (!_running.IsCompleted)
        {
            return null;
        }
        try
        {
            return await list();
        }
        catch (Exception e) when (e is BrokerUnreachableException or BrokerApiException)
        {
            log.LogWarning("Listing pending {What} failed, trying again next tick: {Error}", what, e.Message);
            return null;
        }
    }

    public void Start(Func<Task> run) => _running = Task.Run(run, CancellationToken.None);
}
