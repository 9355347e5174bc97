using Brokkr.Tests.Broker;

namespace Brokkr.Tests.Webhooks;

/// <summary>A broker with a webhook key, a fast delivery worker and backoff, and every log line captured at Trace.</summary>
public class WebhookBroker : LogCapturingBrokerHost
{
    public const string Key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Brokkr:Broker:webhook_encryption_key"] = Key,
        ["Brokkr:Broker:webhook_delivery_interval_seconds"] = "0.1",
        ["Brokkr:Broker:webhook_retry_base_seconds"] = "0.2",
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:System.Net.Http"] = "Trace",
    };
}
