using System.Net;
using System.Text.Json;
using Brokkr.Broker.Data;
using Brokkr.Broker.Targeting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Brokkr.Tests.Broker;

/// <summary>
/// Conditional polling of <c>/target-state</c>: every answer carries an ETag; If-None-Match with the current one gets
/// 304 and no body, and every change that alters the answer — a new object, a new or removed target, an
/// acknowledgement, a deleted object or stack — makes the old tag miss and brings the new state with a 200.
/// </summary>
public sealed class ConditionalTargetStateTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private readonly Fleet _fleet = new(broker);

    [Fact]
    public async Task An_unconditional_poll_gets_the_state_and_a_stable_tag_and_a_matching_one_gets_304_without_a_body()
    {
        var (generator, agent, stack) = await TargetedStackAsync();
        var d = (await _fleet.DeploymentObjectAsync(generator, stack)).Id();

        var first = await PollAsync(agent);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal([d], first.Ids);
        Assert.NotNull(first.ETag);
        Assert.Equal(first.ETag, (await PollAsync(agent)).ETag);

        var unchanged = await PollAsync(agent, ifNoneMatch: first.ETag);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.Status);
        Assert.Equal("", unchanged.Body);
        Assert.Equal(first.ETag, unchanged.ETag);

        // Weak comparison, lists and * follow RFC 9110; a tag that is not current, or garbage, gets the full answer.
        Assert.Equal(HttpStatusCode.NotModified, (await PollAsync(agent, ifNoneMatch: "W/" + first.ETag)).Status);
        Assert.Equal(HttpStatusCode.NotModified, (await PollAsync(agent, ifNoneMatch: $"\"stale\", {first.ETag}")).Status);
        Assert.Equal(HttpStatusCode.NotModified, (await PollAsync(agent, ifNoneMatch: "*")).Status);
        var stale = await PollAsync(agent, ifNoneMatch: "\"stale\"");
        Assert.Equal(HttpStatusCode.OK, stale.Status);
        Assert.Equal([d], stale.Ids);
        Assert.Equal([d], (await PollAsync(agent, ifNoneMatch: "not a tag")).Ids);
    }

    /// <summary>
    /// The poll path runs on auto-prepared statements (PollingCommands). Past the second use every poll executes the
    /// prepared twin, so this checks that those answer with the current state, beside refused writes in transactions
    /// on the main pool, which is what corrupts an auto-prepared statement on the connection it happens on
    /// (npgsql/npgsql#6391).
    /// </summary>
    [Fact]
    public async Task Prepared_polls_keep_answering_with_the_current_state_beside_refused_writes()
    {
        var (generator, agent, stack) = await TargetedStackAsync();
        var duplicate = (await _fleet.Admin.Send("GET", $"/generators/{generator.Id}").Expect(200)).GetProperty("name").GetString();
        var agentClient = broker.Client(agent.Pak);
        Guid? newest = null;
        Poll? last = null;
        for (var round = 0; round < 12; round++)
        {
            if (round % 4 == 0)
            {
                newest = (await _fleet.DeploymentObjectAsync(generator, stack, $"round: {round}")).Id();
            }
            await agentClient.Send("POST", $"/agents/{agent.Id}/heartbeat").Expect(204);
            var poll = await PollAsync(agent, ifNoneMatch: last?.ETag);
            if (round % 4 == 0)
            {
                Assert.Equal(HttpStatusCode.OK, poll.Status);
                Assert.Equal([newest!.Value], poll.Ids);
                last = poll;
            }
            else
            {
                Assert.Equal(HttpStatusCode.NotModified, poll.Status);
            }
            await _fleet.Admin.Send("POST", "/generators", new { name = duplicate }).Expect(409);
        }
    }

    /// <summary>
    /// Target-state bodies are written from JSON serialised once per object (DeploymentObjectJson): each element must
    /// be byte for byte what the API writes for the same object anywhere else, on the first (read) and later (held)
    /// answers alike.
    /// </summary>
    [Fact]
    public async Task Held_object_json_is_the_apis_own_serialisation()
    {
        var (generator, agent, stack) = await TargetedStackAsync();
        var other = await _fleet.StackAsync(generator);
        await _fleet.TargetAsync(generator, agent, other);
        var first = (await _fleet.DeploymentObjectAsync(generator, stack, "a: 1")).Id();
        var second = (await _fleet.DeploymentObjectAsync(generator, other, "b: \"two\"\nc: [1, 2]")).Id();
        var expected = new List<string>();
        foreach (var id in new[] { second, first })
        {
            using var response = await _fleet.Admin.GetAsync($"/api/v1/deployment-objects/{id}");
            expected.Add(await response.Content.ReadAsStringAsync());
        }
        for (var poll = 0; poll < 2; poll++)
        {
            var answer = await PollAsync(agent, full: true);
            Assert.Equal("[" + string.Join(",", expected) + "]", answer.Body);
        }
    }

    [Fact]
    public async Task Held_object_json_is_refused_for_a_row_that_changed_since_its_stamp_was_read()
    {
        var (generator, _, stack) = await TargetedStackAsync();
        var created = await _fleet.DeploymentObjectAsync(generator, stack);
        var row = new TargetStateRow(created.Id(), created.GetProperty("updated_at").GetDateTime().ToUniversalTime());
        await using var scope = broker.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
        var json = broker.Services.GetRequiredService<DeploymentObjectJson>();

        Assert.Null(await json.ResolveAsync([row with { UpdatedAt = row.UpdatedAt.AddTicks(-10) }], db));
        Assert.Null(await json.ResolveAsync([row with { Id = Guid.NewGuid() }], db));
        var held = Assert.Single((await json.ResolveAsync([row], db))!);
        Assert.Equal(row.Id, JsonDocument.Parse(held).RootElement.Id());
    }

    [Fact]
    public async Task The_modes_have_their_own_tags()
    {
        var (generator, agent, stack) = await TargetedStackAsync();
        await _fleet.DeploymentObjectAsync(generator, stack);
        var incremental = await PollAsync(agent);
        var full = await PollAsync(agent, full: true);
        Assert.NotEqual(incremental.ETag, full.ETag);
        Assert.Equal(HttpStatusCode.OK, (await PollAsync(agent, full: true, ifNoneMatch: incremental.ETag)).Status);
    }

    [Fact]
    public async Task A_new_object_in_a_targeted_stack_changes_the_answer()
    {
        var (generator, agent, stack) = await TargetedStackAsync();
        await _fleet.DeploymentObjectAsync(generator, stack, "a: 1");
        var before = await PollAsync(agent);
        var newer = (await _fleet.DeploymentObjectAsync(generator, stack, "a: 2")).Id();
        await AssertChangedAsync(agent, before, [newer]);
    }

    [Fact]
    public async Task A_new_target_and_a_removed_target_change_the_answer()
    {
        var (generator, agent, stack) = await TargetedStackAsync();
        var first = (await _fleet.DeploymentObjectAsync(generator, stack)).Id();
        var other = await _fleet.StackAsync(generator);
        var second = (await _fleet.DeploymentObjectAsync(generator, other)).Id();
        var before = await PollAsync(agent, full: true);

        await _fleet.TargetAsync(generator, agent, other);
        var added = await AssertChangedAsync(agent, before, [second, first], full: true);

        await broker.Client(generator.Pak).Send("DELETE", $"/agents/{agent.Id}/targets/{other}").Expect(204);
        var removed = await AssertChangedAsync(agent, added, [first], full: true);
        // Back to the same body as before the target came and went: the same tag, so 304 is right again.
        Assert.Equal(before.ETag, removed.ETag);
    }

    [Fact]
    public async Task A_label_match_arriving_changes_the_answer()
    {
        var (generator, agent, stack) = await TargetedStackAsync();
        var first = (await _fleet.DeploymentObjectAsync(generator, stack)).Id();
        var labelled = await _fleet.StackAsync(generator);
        var label = Fleet.Unique("tier");
        await broker.Client(generator.Pak).Send("POST", $"/stacks/{labelled}/labels", label).Expect(201);
        var second = (await _fleet.DeploymentObjectAsync(generator, labelled)).Id();
        var before = await PollAsync(agent);

        await _fleet.Admin.Send("POST", $"/agents/{agent.Id}/labels", new { agent_id = agent.Id, label }).Expect(201);
        await AssertChangedAsync(agent, before, [second, first]);
    }

    [Fact]
    public async Task An_acknowledgement_changes_the_incremental_answer_but_not_the_full_one()
    {
        var (generator, agent, stack) = await TargetedStackAsync();
        var d = (await _fleet.DeploymentObjectAsync(generator, stack)).Id();
        var incremental = await PollAsync(agent);
        var full = await PollAsync(agent, full: true);

        await broker.Client(agent.Pak).Send("POST", $"/agents/{agent.Id}/events", new
        {
            agent_id = agent.Id, deployment_object_id = d, event_type = "DEPLOY", status = "SUCCESS",
        }).Expect(201);

        await AssertChangedAsync(agent, incremental, []);
        Assert.Equal(HttpStatusCode.NotModified, (await PollAsync(agent, full: true, ifNoneMatch: full.ETag)).Status);
    }

    [Fact]
    public async Task A_soft_deleted_object_brings_back_the_one_before_it()
    {
        var (generator, agent, stack) = await TargetedStackAsync();
        var older = (await _fleet.DeploymentObjectAsync(generator, stack, "a: 1")).Id();
        var newest = (await _fleet.DeploymentObjectAsync(generator, stack, "a: 2")).Id();
        var before = await PollAsync(agent, full: true);
        Assert.Equal([newest], before.Ids);

        // No API deletes one object; the generator soft-delete trigger does it this way, so the test does too.
        await using (var connection = new NpgsqlConnection(broker.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("UPDATE deployment_objects SET deleted_at = now() WHERE id = @id", connection);
            command.Parameters.AddWithValue("id", newest);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        await AssertChangedAsync(agent, before, [older], full: true);
    }

    [Fact]
    public async Task A_deleted_stack_and_a_deletion_marker_change_the_answer()
    {
        var (generator, agent, stack) = await TargetedStackAsync();
        var owner = broker.Client(generator.Pak);
        await _fleet.DeploymentObjectAsync(generator, stack);
        var before = await PollAsync(agent, full: true);

        var marker = (await owner.Send("POST", $"/stacks/{stack}/deployment-objects",
            new { yaml_content = "", is_deletion_marker = true }).Expect(201)).Id();
        var marked = await AssertChangedAsync(agent, before, [marker], full: true);

        await owner.Send("DELETE", $"/stacks/{stack}").Expect(204);
        await AssertChangedAsync(agent, marked, [], full: true);
    }

    [Fact]
    public async Task A_poll_without_the_header_answers_exactly_as_before()
    {
        var (generator, agent, stack) = await TargetedStackAsync();
        var id = (await _fleet.DeploymentObjectAsync(generator, stack)).Id();
        // As stored (the creation answer carries the clock's full precision, the database keeps microseconds).
        var stored = await _fleet.Admin.Send("GET", $"/deployment-objects/{id}").Expect(200);
        var poll = await PollAsync(agent);
        var only = Assert.Single(JsonDocument.Parse(poll.Body).RootElement.EnumerateArray());
        Assert.Equal(stored.GetRawText(), only.GetRawText());
    }

    /// <summary>The old tag now misses with the new state; the new tag is current.</summary>
    private async Task<Poll> AssertChangedAsync(Tenant agent, Poll before, Guid[] expected, bool full = false)
    {
        var after = await PollAsync(agent, full, before.ETag);
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Equal(expected, after.Ids);
        Assert.NotEqual(before.ETag, after.ETag);
        Assert.Equal(HttpStatusCode.NotModified, (await PollAsync(agent, full, after.ETag)).Status);
        return after;
    }

    private async Task<(Tenant Generator, Tenant Agent, Guid Stack)> TargetedStackAsync()
    {
        var generator = await _fleet.GeneratorAsync();
        var agent = await _fleet.AgentAsync(generator.Id);
        var stack = await _fleet.StackAsync(generator);
        await _fleet.TargetAsync(generator, agent, stack);
        return (generator, agent, stack);
    }

    private sealed record Poll(HttpStatusCode Status, string? ETag, string Body)
    {
        public List<Guid> Ids => JsonDocument.Parse(Body).RootElement.EnumerateArray().Select(d => d.Id()).ToList();
    }

    private async Task<Poll> PollAsync(Tenant agent, bool full = false, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/agents/{agent.Id}/target-state" + (full ? "?mode=full" : ""));
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }
        using var response = await broker.Client(agent.Pak).SendAsync(request);
        return new Poll(response.StatusCode, response.Headers.ETag?.ToString(), await response.Content.ReadAsStringAsync());
    }
}
