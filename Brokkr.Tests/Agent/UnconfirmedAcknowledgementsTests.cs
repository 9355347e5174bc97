using Brokkr.Agent.Runtime;

namespace Brokkr.Tests.Agent;

public sealed class UnconfirmedAcknowledgementsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_object_is_held_back_for_the_grace_after_its_frame_and_comes_back_when_it_ends()
    {
        var unconfirmed = new UnconfirmedAcknowledgements();
        var sent = Guid.NewGuid();
        unconfirmed.Sent(sent, T0);

        Assert.True(unconfirmed.Awaiting(sent, T0 + UnconfirmedAcknowledgements.Grace - TimeSpan.FromMilliseconds(1)));
        // Past the grace the frame counts as lost: the next poll that lists the object applies and reports it again.
        Assert.False(unconfirmed.Awaiting(sent, T0 + UnconfirmedAcknowledgements.Grace));
        Assert.False(unconfirmed.Awaiting(Guid.NewGuid(), T0));
    }

    [Fact]
    public void Expire_forgets_entries_past_their_grace_and_keeps_the_rest()
    {
        var unconfirmed = new UnconfirmedAcknowledgements();
        var old = Guid.NewGuid();
        var recent = Guid.NewGuid();
        unconfirmed.Sent(old, T0);
        unconfirmed.Sent(recent, T0 + TimeSpan.FromSeconds(4));

        unconfirmed.Expire(T0 + UnconfirmedAcknowledgements.Grace);

        Assert.Equal(1, unconfirmed.Count);
        Assert.True(unconfirmed.Awaiting(recent, T0 + UnconfirmedAcknowledgements.Grace));
    }
}
