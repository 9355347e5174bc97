namespace Brokkr.Agent.Runtime;

/// <summary>
/// The wait before the next tick: the polling interval while the broker answers; while it is unreachable, doubling
/// from twice the interval up to <paramref name="max"/>, each wait drawn uniformly from its upper half so a fleet of
/// agents that lost the broker together does not return in lockstep.
/// </summary>
public sealed class BrokerBackoff(TimeSpan interval, TimeSpan max, Random random)
{
    public int ConsecutiveFailures { get; private set; }

    public TimeSpan Succeeded()
    {
        ConsecutiveFailures = 0;
        return interval;
    }

    public TimeSpan Failed()
    {
        ConsecutiveFailures++;
        var ceiling = UpperBound(ConsecutiveFailures);
        return ceiling / 2 + ceiling / 2 * random.NextDouble();
    }

    /// <summary>The longest wait after <paramref name="failures"/> consecutive failures.</summary>
    public TimeSpan UpperBound(int failures)
    {
        var limit = max < interval ? interval : max;
        var factor = Math.Pow(2, Math.Min(failures, 30));
        return interval * factor > limit ? limit : interval * factor;
    }
}
