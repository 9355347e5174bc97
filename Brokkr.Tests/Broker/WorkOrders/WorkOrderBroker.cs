using System.Text.Json;

namespace Brokkr.Tests.Broker.WorkOrders;

/// <summary>A broker whose work-order maintenance ticks every second, so stale claims and backoffs resolve within a test.</summary>
public sealed class WorkOrderBroker : BrokerHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Brokkr:Broker:work_order_maintenance_seconds"] = "1",
    };
}

/// <summary>Work-order calls of the tests, as the admin and as agents would make them.</summary>
public sealed class WorkOrderClient(IBrokerClients broker)
{
    public const string JobYaml = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: m\n        image: busybox\n";

    public Fleet Fleet { get; } = new(broker);

    public HttpClient Admin => Fleet.Admin;

    public Task<JsonElement> CreateAsync(object targeting, int? maxRetries = null, int? backoffSeconds = null, int? claimTimeoutSeconds = null) =>
        Admin.Send("POST", "/work-orders", new
        {
            work_type = "custom",
            yaml_content = JobYaml,
            max_retries = maxRetries,
            backoff_seconds = backoffSeconds,
            claim_timeout_seconds = claimTimeoutSeconds,
            targeting,
        }).Expect(201);

    public Task<HttpResponseMessage> Claim(Tenant agent, Guid order) =>
        broker.Client(agent.Pak).Send("POST", $"/work-orders/{order}/claim", new { agent_id = agent.Id });

    public Task<HttpResponseMessage> Complete(Tenant agent, Guid order, bool success, string? message = null, bool? retryable = null) =>
        broker.Client(agent.Pak).Send("POST", $"/work-orders/{order}/complete", retryable is { } r
            ? new { success, message, retryable = r }
            : new { success, message });

    public async Task<List<Guid>> PendingAsync(Tenant agent) =>
        (await broker.Client(agent.Pak).Send("GET", $"/agents/{agent.Id}/work-orders/pending").Expect(200))
        .EnumerateArray().Select(o => o.Id()).ToList();

    public Task<JsonElement> GetAsync(Guid order) => Admin.Send("GET", $"/work-orders/{order}").Expect(200);

    public Task LabelAsync(Tenant agent, string label) =>
        Admin.Send("POST", $"/agents/{agent.Id}/labels", new { agent_id = agent.Id, label }).Expect(201);

    public Task AnnotateAsync(Tenant agent, string key, string value) =>
        Admin.Send("POST", $"/agents/{agent.Id}/annotations", new { agent_id = agent.Id, key, value }).Expect(201);
}
