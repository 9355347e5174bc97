using System.Text.RegularExpressions;

namespace Brokkr.Tests.Broker.OperatorConsole;

/// <summary>A seeded broker (<see cref="World"/>, with its first agent active and checked in) whose console page is read.</summary>
public sealed partial class ConsoleHost : LogCapturingBrokerHost
{
    public World Shared { get; private set; } = null!;

    /// <summary>The read-only credential this broker process embedded in its console page.</summary>
    public string Credential { get; private set; } = "";

    // Information and up, so the "never logged" check reads what an operator's default log level would keep.
    /// <summary>A secret in the seeded webhook's URL: the console must show that a URL is set, never the URL.</summary>
    public const string WebhookUrlSecret = "console-url-secret";

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Brokkr:Broker:webhook_encryption_key"] = Webhooks.WebhookBroker.Key,
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Shared = await World.CreateAsync(this);
        await Client().Send("PUT", $"/agents/{Shared.A1.Id}", new { status = "ACTIVE" }).Expect(200);
        await Client(Shared.A1.Pak).Send("POST", $"/agents/{Shared.A1.Id}/heartbeat", new { k8s_reachable = true, k8s_api_latency_ms = 12 }).Expect(204);
        // One pending work order and one webhook subscription, so those views list real rows.
        await new WorkOrders.WorkOrderClient(this).CreateAsync(new { agent_ids = new[] { Shared.A1.Id } });
        // The discard port, and an event that this seed never causes: nothing is ever delivered.
        await Client().Send("POST", "/webhooks", new
        {
            name = "console-hook",
            url = $"http://127.0.0.1:9/hook?token={WebhookUrlSecret}",
            event_types = new[] { "workorder.completed" },
        }).Expect(201);
        Credential = CredentialOf(await Client(null).GetStringAsync("/"));
    }

    public static string CredentialOf(string page) =>
        CredentialMeta().Match(page) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no console credential in the page");

    [GeneratedRegex("<meta name=\"brokkr-console-credential\" content=\"([^\"]+)\">")]
    private static partial Regex CredentialMeta();
}
