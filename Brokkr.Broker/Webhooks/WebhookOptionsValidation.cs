using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Webhooks;

/// <summary>Refuses webhook settings the worker cannot honour, at startup and naming the setting.</summary>
public sealed class WebhookOptionsValidation : IValidateOptions<WebhookOptions>
{
    /// <summary>Below this the result of an attempt cut off at the last moment could not be recorded inside its claim.</summary>
    public const int MinClaimMarginSeconds = 5;

    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = new List<string>();
        if (options.ClaimMarginSeconds < MinClaimMarginSeconds)
        {
            failures.Add($"BROKKR__BROKER__WEBHOOK_CLAIM_MARGIN_SECONDS must be at least {MinClaimMarginSeconds} (it is {options.ClaimMarginSeconds}): " +
                "a claim must outlast the HTTP timeout and the recording of the result, or a delivery is sent twice");
        }
        if (!(options.DeliveryIntervalSeconds > 0) || double.IsInfinity(options.DeliveryIntervalSeconds))
        {
            failures.Add("BROKKR__BROKER__WEBHOOK_DELIVERY_INTERVAL_SECONDS must be a positive number of seconds");
        }
        if (options.DeliveryBatchSize < 1)
        {
            failures.Add("BROKKR__BROKER__WEBHOOK_DELIVERY_BATCH_SIZE must be at least 1");
        }
        if (options.DeliveryConcurrency < 1)
        {
            failures.Add("BROKKR__BROKER__WEBHOOK_DELIVERY_CONCURRENCY must be at least 1");
        }
        if (!(options.RetryBaseSeconds > 0) || double.IsInfinity(options.RetryBaseSeconds))
        {
            failures.Add("BROKKR__BROKER__WEBHOOK_RETRY_BASE_SECONDS must be a positive number of seconds");
        }
        if (options.DeliveryRetentionDays < 0)
        {
            failures.Add("BROKKR__BROKER__WEBHOOK_DELIVERY_RETENTION_DAYS must be 0 (keep) or more");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
