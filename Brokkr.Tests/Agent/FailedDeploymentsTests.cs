using Brokkr.Agent.Broker;
using Brokkr.Agent.Runtime;

namespace Brokkr.Tests.Agent;

public sealed class FailedDeploymentsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Retries_back_off_from_10_seconds_doubling_to_at_most_5_minutes()
    {
        var failed = new FailedDeployments();
        var record = Record(1);
        var desired = new HashSet<Guid> { record.Id };
        var now = T0;
        var delays = new List<TimeSpan>();
        for (var attempt = 0; attempt < 8; attempt++)
        {
            failed.Failed(record, "boom", now);
            var due = now;
            while (failed.Due(due, desired, new HashSet<Guid>()).Count == 0)
            {
                due += TimeSpan.FromSeconds(1);
            }
            delays.Add(due - now);
            now = due;
        }

        Assert.Equal(new[] { 10, 20, 40, 80, 160, 300, 300, 300 }.Select(s => TimeSpan.FromSeconds(s)), delays);
    }

    [Fact]
    public void A_failure_is_reported_once_per_distinct_message()
    {
        var failed = new FailedDeployments();
        var record = Record(1);

        Assert.True(failed.Failed(record, "500 from the API", T0));
        failed.Reported(record.Id, "500 from the API");
        Assert.False(failed.Failed(record, "500 from the API", T0));
        Assert.True(failed.Failed(record, "timed out", T0));
    }

    [Fact]
    public void An_unreported_failure_is_reported_on_the_next_attempt()
    {
        var failed = new FailedDeployments();
        var record = Record(1);

        Assert.True(failed.Failed(record, "500 from the API", T0)); // the event did not reach the broker
        Assert.True(failed.Failed(record, "500 from the API", T0));
    }

    [Fact]
    public void Objects_the_broker_no_longer_wants_or_applied_this_cycle_are_not_retried()
    {
        var failed = new FailedDeployments();
        var (replaced, appliedNow, kept) = (Record(1), Record(2), Record(3));
        foreach (var record in new[] { replaced, appliedNow, kept })
        {
            failed.Failed(record, "boom", T0);
        }

        var due = failed.Due(T0.AddMinutes(1), new HashSet<Guid> { appliedNow.Id, kept.Id }, new HashSet<Guid> { appliedNow.Id });

        Assert.Equal([kept], due);
        Assert.Equal(2, failed.Count);
        failed.GiveUp(kept.Id);
        Assert.True(failed.Succeeded(appliedNow.Id));
        Assert.Equal(0, failed.Count);
    }

    private static DeploymentObjectRecord Record(long sequence) =>
        new(Guid.NewGuid(), Guid.NewGuid(), sequence, "apiVersion: v1\n", "checksum", IsDeletionMarker: false);
}
