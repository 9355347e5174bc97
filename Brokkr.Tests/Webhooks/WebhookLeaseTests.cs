using Brokkr.Broker.Webhooks;

namespace Brokkr.Tests.Webhooks;

/// <summary>An attempt always ends before its claim does, so no second sender can claim a delivery whose POST is in flight.</summary>
public sealed class WebhookLeaseTests
{
    [Theory]
    [InlineData(1, 5)]
    [InlineData(30, 30)]
    [InlineData(300, 5)]
    public void Every_attempt_ends_at_least_half_the_margin_before_the_claim(int timeoutSeconds, int marginSeconds)
    {
        var lease = WebhookLease.Duration(timeoutSeconds, marginSeconds);
        Assert.True(lease > TimeSpan.FromSeconds(timeoutSeconds));
        for (var elapsed = TimeSpan.Zero; elapsed <= lease; elapsed += TimeSpan.FromMilliseconds(250))
        {
            if (WebhookLease.AttemptTimeout(timeoutSeconds, marginSeconds, elapsed) is { } timeout)
            {
                Assert.True(timeout <= TimeSpan.FromSeconds(timeoutSeconds));
                Assert.True(elapsed + timeout <= lease - TimeSpan.FromSeconds(marginSeconds / 2.0), $"after {elapsed} the attempt outlasts the claim");
            }
        }
        // Sent at once, an attempt gets the subscription's whole timeout; too late, none at all.
        Assert.Equal(TimeSpan.FromSeconds(timeoutSeconds), WebhookLease.AttemptTimeout(timeoutSeconds, marginSeconds, TimeSpan.FromMilliseconds(100)));
        Assert.Null(WebhookLease.AttemptTimeout(timeoutSeconds, marginSeconds, lease));
    }
}
