namespace Brokkr.Broker.Webhooks;

/// <summary>What one delivery attempt leads to; the same rules for the broker's worker and agents' reports.</summary>
public static class RetryPolicy
{
    /// <summary>2xx is success; 408, 425, 429, 5xx, transport errors and timeouts (no status) are worth retrying;
    /// every other 4xx will not change by retrying and dead-letters at once.</summary>
    public static bool IsRetryable(int? statusCode) => statusCode switch
    {
        null => true,
        408 or 425 or 429 => true,
        >= 400 and < 500 => false,
        _ => true,
    };

    /// <summary>The row's next state after attempt number <paramref name="attempts"/> failed.</summary>
    public static (string Status, DateTime? NextRetryAt) AfterFailure(int? statusCode, int attempts, int maxRetries,
        double baseSeconds, DateTime now)
    {
        if (!IsRetryable(statusCode) || attempts >= maxRetries)
        {
            return ("dead", null);
        }
        var delay = baseSeconds * Math.Pow(2, Math.Min(attempts - 1, 20));
        return ("failed", now.AddSeconds(Math.Min(delay, 3600)));
    }
}
