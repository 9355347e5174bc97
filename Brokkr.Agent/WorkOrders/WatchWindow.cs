namespace Brokkr.Agent.WorkOrders;

/// <summary>
/// How long the agent watches a work order's Jobs: the order's claim timeout less 10%, at least a minute. The broker
/// releases a claim at its timeout; a watch that outlived it would let a second agent run the same Job while the
/// first still watches it. The margin covers the apply, the poll interval, the completion report and clock skew.
/// </summary>
public static class WatchWindow
{
    public static readonly TimeSpan Minimum = TimeSpan.FromSeconds(60);

    public static TimeSpan For(int claimTimeoutSeconds)
    {
        var window = TimeSpan.FromSeconds(claimTimeoutSeconds * 0.9);
        return window < Minimum ? Minimum : window;
    }
}
