using Brokkr.Agent.Runtime;

namespace Brokkr.Tests.Agent;

public sealed class BrokerBackoffTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [Fact]
    public void Waits_double_from_twice_the_interval_up_to_the_cap_with_jitter_in_the_upper_half()
    {
        var backoff = new BrokerBackoff(Interval, TimeSpan.FromSeconds(60), new Random(7));
        TimeSpan[] upper = [TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60)];

        var waits = upper.Select(_ => backoff.Failed()).ToList();

        for (var i = 0; i < upper.Length; i++)
        {
            Assert.InRange(waits[i], upper[i] / 2, upper[i]);
        }

        Assert.Equal(4, backoff.ConsecutiveFailures);
        Assert.Equal(Interval, backoff.Succeeded());
        Assert.Equal(0, backoff.ConsecutiveFailures);
        Assert.InRange(backoff.Failed(), Interval, 2 * Interval);
    }

    [Fact]
    public void Jitter_spreads_agents_that_failed_together()
    {
        var waits = Enumerable.Range(0, 20)
            .Select(seed => new BrokerBackoff(Interval, TimeSpan.FromMinutes(5), new Random(seed)))
            .Select(b => { b.Failed(); b.Failed(); return b.Failed(); })
            .ToList();

        Assert.True(waits.Distinct().Count() > 15, "twenty agents should not wait the same time");
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(80)));
    }

    [Fact]
    public void A_cap_below_the_interval_never_makes_the_agent_poll_faster_than_normal()
    {
        var backoff = new BrokerBackoff(Interval, TimeSpan.FromSeconds(1), new Random(1));
        Assert.InRange(backoff.Failed(), Interval / 2, Interval);
        Assert.Equal(Interval, backoff.UpperBound(10));
    }
}
