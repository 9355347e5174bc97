using System.Text.Json;

namespace Brokkr.Tests.Broker.Diagnostics;

/// <summary>Who may do what with a diagnostic request, and the refusals of bad input, none of which changes anything.</summary>
public sealed class DiagnosticAccessTests(DiagnosticBroker broker) : IClassFixture<DiagnosticBroker>
{
    private readonly DiagnosticClient _diagnostics = new(broker);

    [Fact]
    public async Task Only_the_admin_requests_and_only_the_target_agent_sees_claims_and_answers()
    {
        var (agent, deploymentObject) = await _diagnostics.TargetedObjectAsync();
        var generator = await _diagnostics.Fleet.GeneratorAsync();
        var stranger = await _diagnostics.Fleet.AgentAsync();
        await _diagnostics.Request(deploymentObject, new { agent_id = agent.Id }, generator.Pak).ExpectError(403, "admin_required");
        await _diagnostics.Request(deploymentObject, new { agent_id = agent.Id }, agent.Pak).ExpectError(403, "admin_required");
        using (var anonymous = await _diagnostics.Request(deploymentObject, new { agent_id = agent.Id }, pak: null))
        {
            Assert.Equal(401, (int)anonymous.StatusCode);
        }
        var id = await _diagnostics.RequestAsync(agent, deploymentObject);

        await broker.Client(stranger.Pak).Send("GET", $"/agents/{agent.Id}/diagnostics/pending").ExpectError(403, "agent_pak_mismatch");
        await broker.Client(generator.Pak).Send("GET", $"/agents/{agent.Id}/diagnostics/pending").ExpectError(403, "agent_pak_mismatch");
        Assert.Empty(await _diagnostics.PendingAsync(stranger));
        foreach (var pak in new[] { stranger.Pak, generator.Pak })
        {
            await broker.Client(pak).Send("GET", $"/diagnostics/{id}").ExpectError(403, "diagnostic_not_owned");
            await broker.Client(pak).Send("POST", $"/diagnostics/{id}/claim").ExpectError(403, "diagnostic_not_owned");
        }
        // The admin reads and lists, but the work is the agent's: an admin claim would strand the request.
        await broker.Client().Send("POST", $"/diagnostics/{id}/claim").ExpectError(403, "diagnostic_not_owned");
        Assert.Contains(id, (await broker.Client().Send("GET", $"/agents/{agent.Id}/diagnostics/pending").Expect(200))
            .EnumerateArray().Select(r => r.Id()));

        await _diagnostics.Claim(agent, id).Expect(200);
        await _diagnostics.Submit(stranger, id).ExpectError(403, "diagnostic_not_owned");
        await broker.Client().Send("POST", $"/diagnostics/{id}/result", DiagnosticClient.Result()).ExpectError(403, "diagnostic_not_owned");
        Assert.Equal("claimed", (await _diagnostics.GetAsync(id)).GetProperty("request").Str("status"));
        await _diagnostics.Submit(agent, id).Expect(201);
    }

    [Fact]
    public async Task Unknown_requests_objects_and_agents_are_404()
    {
        var (agent, deploymentObject) = await _diagnostics.TargetedObjectAsync();
        var unknown = Guid.NewGuid();
        await broker.Client().Send("GET", $"/diagnostics/{unknown}").ExpectError(404, "diagnostic_not_found");
        await _diagnostics.Claim(agent, unknown).ExpectError(404, "diagnostic_not_found");
        await _diagnostics.Submit(agent, unknown).ExpectError(404, "diagnostic_not_found");
        await _diagnostics.Request(unknown, new { agent_id = agent.Id }).ExpectError(404, "deployment_object_not_found");
        await _diagnostics.Request(deploymentObject, new { agent_id = unknown }).ExpectError(404, "agent_not_found");
        await broker.Client().Send("GET", "/diagnostics/not-a-uuid").ExpectError(400, "invalid_path");
    }

    [Theory]
    [InlineData("""{"agent_id":"{agent}","retention_minutes":0}""", 400, "invalid_diagnostic_request")]
    [InlineData("""{"agent_id":"{agent}","retention_minutes":1441}""", 400, "invalid_diagnostic_request")]
    [InlineData("""{"agent_id":"{agent}","requested_by":"a\u0000b"}""", 400, "invalid_diagnostic_request")]
    [InlineData("""{"agent_id":"{agent}","requested_by":"   "}""", 400, "invalid_diagnostic_request")]
    [InlineData("""{"agent_id":"00000000-0000-0000-0000-000000000000"}""", 400, "invalid_diagnostic_request")]
    [InlineData("""{"agent_id":"not-a-uuid"}""", 422, "invalid_body")]
    [InlineData("""{"requested_by":"me"}""", 422, "invalid_body")]
    [InlineData("""{"agent_id":""", 400, "invalid_json")]
    public async Task A_bad_request_body_is_refused_and_creates_nothing(string body, int status, string code)
    {
        var (agent, deploymentObject) = await _diagnostics.TargetedObjectAsync();
        await _diagnostics.Request(deploymentObject, BrokerHttp.Raw(body.Replace("{agent}", agent.Id.ToString()), "application/json"))
            .ExpectError(status, code);
        Assert.Empty(await _diagnostics.PendingAsync(agent));
    }

    [Theory]
    [InlineData("""{"pod_statuses":"not json","events":"[]","collected_at":"2026-12-04T10:00:00Z"}""", 400, "invalid_diagnostic_result")]
    [InlineData("""{"pod_statuses":"[]","events":"","collected_at":"2026-12-04T10:00:00Z"}""", 400, "invalid_diagnostic_result")]
    [InlineData("""{"pod_statuses":"[]","events":"[\"\u0000\"]","collected_at":"2026-12-04T10:00:00Z"}""", 400, "invalid_diagnostic_result")]
    [InlineData("""{"pod_statuses":"[]","events":"[]","log_tails":"{","collected_at":"2026-12-04T10:00:00Z"}""", 400, "invalid_diagnostic_result")]
    [InlineData("""{"pod_statuses":"[]","collected_at":"2026-12-04T10:00:00Z"}""", 422, "invalid_body")]
    [InlineData("""{"pod_statuses":"[]","events":"[]","collected_at":"yesterday"}""", 422, "invalid_body")]
    [InlineData("""{"pod_statuses":"[]","events":"[]"}""", 422, "invalid_body")]
    public async Task A_bad_result_is_refused_and_the_request_stays_claimed(string body, int status, string code)
    {
        var (agent, deploymentObject) = await _diagnostics.TargetedObjectAsync();
        var id = await _diagnostics.RequestAsync(agent, deploymentObject);
        await _diagnostics.Claim(agent, id).Expect(200);

        await _diagnostics.Submit(agent, id, BrokerHttp.Raw(body, "application/json")).ExpectError(status, code);

        var after = await _diagnostics.GetAsync(id);
        Assert.Equal(("claimed", JsonValueKind.Null), (after.GetProperty("request").Str("status"), after.GetProperty("result").ValueKind));
        await _diagnostics.Submit(agent, id).Expect(201);
    }
}
