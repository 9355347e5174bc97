using System.Text.Json;
using Brokkr.Tests.AppHost.Testing;

namespace Brokkr.Tests.Broker.Diagnostics;

/// <summary>The diagnostic state machine over HTTP and PostgreSQL: pending → claimed → completed, and the expiry sweep.</summary>
public sealed class DiagnosticLifecycleTests(DiagnosticBroker broker) : IClassFixture<DiagnosticBroker>
{
    private static readonly TimeSpan SweepWait = TimeSpan.FromSeconds(30);
    private readonly DiagnosticClient _diagnostics = new(broker);

    [Fact]
    public async Task A_request_is_claimed_once_answered_once_and_read_back_with_its_result()
    {
        var (agent, deploymentObject) = await _diagnostics.TargetedObjectAsync();
        var created = await _diagnostics.Request(deploymentObject,
            new { agent_id = agent.Id, requested_by = "oncall", retention_minutes = 30 }).Expect(201);
        var id = created.Id();
        Assert.Equal(("pending", agent.Id, deploymentObject, "oncall"),
            (created.Str("status"), created.Id("agent_id"), created.Id("deployment_object_id"), created.Str("requested_by")));
        Assert.Equal(TimeSpan.FromMinutes(30), created.GetProperty("expires_at").GetDateTime() - created.GetProperty("created_at").GetDateTime());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("claimed_at").ValueKind);
        Assert.Equal([id], await _diagnostics.PendingAsync(agent));
        var waiting = await _diagnostics.GetAsync(id);
        Assert.Equal(("pending", JsonValueKind.Null), (waiting.GetProperty("request").Str("status"), waiting.GetProperty("result").ValueKind));

        var claimed = await _diagnostics.Claim(agent, id).Expect(200);
        Assert.Equal("claimed", claimed.Str("status"));
        Assert.NotEqual(JsonValueKind.Null, claimed.GetProperty("claimed_at").ValueKind);
        Assert.Empty(await _diagnostics.PendingAsync(agent));
        await _diagnostics.Claim(agent, id).ExpectError(409, "diagnostic_already_claimed");

        const string pods = """[{"name":"web-1","namespace":"default","phase":"Running"}]""";
        const string logs = """{"web-1/web":"ready\n"}""";
        var collectedAt = new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.FromHours(2));
        var result = await _diagnostics.Submit(agent, id,
            new { pod_statuses = pods, events = "[]", log_tails = logs, collected_at = collectedAt }).Expect(201);
        Assert.Equal((id, pods, logs), (result.Id("request_id"), result.Str("pod_statuses"), result.Str("log_tails")));
        Assert.Equal(collectedAt.UtcDateTime, result.GetProperty("collected_at").GetDateTime().ToUniversalTime());

        // The target agent reads it too; the result is stored once.
        var done = await _diagnostics.GetAsync(id, agent.Pak);
        var request = done.GetProperty("request");
        Assert.Equal("completed", request.Str("status"));
        Assert.NotEqual(JsonValueKind.Null, request.GetProperty("completed_at").ValueKind);
        Assert.Equal((result.Id(), "[]"), (done.GetProperty("result").Id(), done.GetProperty("result").Str("events")));
        await _diagnostics.Submit(agent, id).ExpectError(409, "diagnostic_not_claimed");
        await _diagnostics.Claim(agent, id).ExpectError(409, "diagnostic_already_claimed");
    }

    [Fact]
    public async Task Of_concurrent_claims_exactly_one_wins()
    {
        var (agent, deploymentObject) = await _diagnostics.TargetedObjectAsync();
        var id = await _diagnostics.RequestAsync(agent, deploymentObject);

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await _diagnostics.Claim(agent, id);
            return (int)response.StatusCode;
        }));

        Assert.Equal(1, answers.Count(s => s == 200));
        Assert.Equal(5, answers.Count(s => s == 409));
    }

    [Fact]
    public async Task An_unclaimed_request_past_its_deadline_is_no_longer_offered_and_is_swept_to_expired()
    {
        var (agent, deploymentObject) = await _diagnostics.TargetedObjectAsync();
        var id = await _diagnostics.RequestAsync(agent, deploymentObject);
        await _diagnostics.ExpireAsync(id);

        Assert.Empty(await _diagnostics.PendingAsync(agent));
        await _diagnostics.Claim(agent, id).ExpectError(409, "diagnostic_expired");
        var swept = await Poll.UntilAsync(() => _diagnostics.GetAsync(id), d => d.GetProperty("request").Str("status") != "pending",
            SweepWait, "request swept");
        var request = swept.GetProperty("request");
        Assert.Equal(("expired", JsonValueKind.Null, JsonValueKind.Null),
            (request.Str("status"), request.GetProperty("claimed_at").ValueKind, swept.GetProperty("result").ValueKind));
        Assert.NotEqual(JsonValueKind.Null, request.GetProperty("completed_at").ValueKind);
        await _diagnostics.Claim(agent, id).ExpectError(409, "diagnostic_expired");
    }

    [Fact]
    public async Task A_claimed_request_never_answered_is_swept_to_failed_keeping_its_claim_time()
    {
        var (agent, deploymentObject) = await _diagnostics.TargetedObjectAsync();
        var id = await _diagnostics.RequestAsync(agent, deploymentObject);
        var claimedAt = (await _diagnostics.Claim(agent, id).Expect(200)).GetProperty("claimed_at").GetDateTime();
        await _diagnostics.ExpireAsync(id);

        var swept = await Poll.UntilAsync(() => _diagnostics.GetAsync(id), d => d.GetProperty("request").Str("status") != "claimed",
            SweepWait, "request swept");
        var request = swept.GetProperty("request");
        Assert.Equal(("failed", claimedAt), (request.Str("status"), request.GetProperty("claimed_at").GetDateTime()));
        Assert.Equal(JsonValueKind.Null, swept.GetProperty("result").ValueKind);
        // The agent that comes back too late is told, and nothing is stored.
        await _diagnostics.Submit(agent, id).ExpectError(409, "diagnostic_not_claimed");
        Assert.Equal(JsonValueKind.Null, (await _diagnostics.GetAsync(id)).GetProperty("result").ValueKind);
    }
}
