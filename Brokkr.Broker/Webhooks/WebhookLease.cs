namespace Brokkr.Broker.Webhooks;

/// <summary>
/// A claim on a delivery lasts its subscription's timeout plus the claim margin. An attempt gets the subscription's
/// timeout, cut short so it ends at least half the margin before the claim does — time left to record the result —
/// however long the claim took to come back or the send to start. So no claim expires while its POST is in flight.
/// </summary>
public static class WebhookLease
{
    public static TimeSpan Duration(int timeoutSeconds, int marginSeconds) => TimeSpan.FromSeconds(timeoutSeconds + marginSeconds);

    /// <summary>The attempt's timeout, or null when too little of the claim is left to send at all.</summary>
    /// <param name="sinceClaim">Time since just before the claim was asked for (the claim started after that).</param>
    public static TimeSpan? AttemptTimeout(int timeoutSeconds, int marginSeconds, TimeSpan sinceClaim)
    {
        var left = Duration(timeoutSeconds, marginSeconds) - sinceClaim - TimeSpan.FromSeconds(marginSeconds / 2.0);
        var timeout = TimeSpan.FromSeconds(timeoutSeconds) < left ? TimeSpan.FromSeconds(timeoutSeconds) : left;
        return timeout > TimeSpan.Zero ? timeout : null;
    }
}
