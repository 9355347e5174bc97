using System.Text.Json;
using Npgsql;

namespace Brokkr.Tests.Broker.Diagnostics;

/// <summary>A broker whose diagnostic sweep runs every second, so deadlines resolve within a test.</summary>
public sealed class DiagnosticBroker : BrokerHost
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Brokkr:Broker:diagnostic_cleanup_interval_seconds"] = "1",
    };
}

/// <summary>Diagnostic calls of the tests, as the admin and as agents make them, over a <see cref="World"/>-like setup.</summary>
public sealed class DiagnosticClient(BrokerHost broker)
{
    public Fleet Fleet { get; } = new(broker);

    public HttpClient Admin => Fleet.Admin;

    /// <summary>An agent with a deployment object of a stack targeted to it.</summary>
    public async Task<(Tenant Agent, Guid DeploymentObject)> TargetedObjectAsync()
    {
        var generator = await Fleet.GeneratorAsync();
        var agent = await Fleet.AgentAsync(generator.Id);
        var stack = await Fleet.StackAsync(generator);
        await Fleet.TargetAsync(generator, agent, stack);
        return (agent, (await Fleet.DeploymentObjectAsync(generator, stack)).Id());
    }

    public Task<HttpResponseMessage> Request(Guid deploymentObject, object body, string? pak = BrokerHost.DevAdminPak) =>
        broker.Client(pak).Send("POST", $"/deployment-objects/{deploymentObject}/diagnostics", body);

    public async Task<Guid> RequestAsync(Tenant agent, Guid deploymentObject) =>
        (await Request(deploymentObject, new { agent_id = agent.Id }).Expect(201)).Id();

    public Task<HttpResponseMessage> Claim(Tenant agent, Guid request) =>
        broker.Client(agent.Pak).Send("POST", $"/diagnostics/{request}/claim");

    public static object Result(string pods = "[]", string events = "[]", string? logTails = null) =>
        new { pod_statuses = pods, events, log_tails = logTails, collected_at = DateTimeOffset.UtcNow };

    public Task<HttpResponseMessage> Submit(Tenant agent, Guid request, object? body = null) =>
        broker.Client(agent.Pak).Send("POST", $"/diagnostics/{request}/result", body ?? Result());

    public Task<JsonElement> GetAsync(Guid request, string? pak = BrokerHost.DevAdminPak) =>
        broker.Client(pak).Send("GET", $"/diagnostics/{request}").Expect(200);

    public async Task<List<Guid>> PendingAsync(Tenant agent) =>
        (await broker.Client(agent.Pak).Send("GET", $"/agents/{agent.Id}/diagnostics/pending").Expect(200))
        .EnumerateArray().Select(r => r.Id()).ToList();

    /// <summary>Moves a request's deadline into the past, as the passing of its retention would.</summary>
    public async Task ExpireAsync(Guid request)
    {
        await using var connection = new NpgsqlConnection(broker.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "UPDATE diagnostic_requests SET expires_at = now() - interval '1 second' WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", request);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}
