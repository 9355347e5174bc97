using System.Net;
using System.Net.Http.Headers;
using Npgsql;

namespace Brokkr.Tests.Broker;

/// <summary>
/// Racing writers on the same unique rows (spec §3, issue: "two agents or two generators racing on the same rows get
/// a clean 409, never a 500"): parallel identical creates yield exactly one 201 and 409s for the rest.
/// </summary>
public sealed class ConcurrencyTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private const int Racers = 8;

    private readonly Fleet _fleet = new(broker);

    [Theory]
    [InlineData("generator name")]
    [InlineData("agent name and cluster")]
    [InlineData("stack name from two generators")]
    [InlineData("explicit target")]
    [InlineData("self-registration")]
    [InlineData("stack label")]
    [InlineData("agent annotation")]
    public async Task Parallel_identical_creates_give_one_201_and_409s(string row)
    {
        var race = await PrepareAsync(row);
        var statuses = await Task.WhenAll(Enumerable.Range(0, Racers).Select(async i =>
        {
            using var response = await race(i);
            return (int)response.StatusCode;
        }));

        Assert.Equal(1, statuses.Count(s => s == 201));
        Assert.All(statuses.Where(s => s != 201), s => Assert.Equal(409, s));
    }

    [Fact]
    public async Task Parallel_updates_and_deletes_of_one_stack_never_fail_with_500()
    {
        var generator = await _fleet.GeneratorAsync();
        var stack = await _fleet.StackAsync(generator);
        var owner = broker.Client(generator.Pak);
        var calls = Enumerable.Range(0, Racers).Select(i => (i % 3) switch
        {
            0 => owner.Send("DELETE", $"/stacks/{stack}"),
            1 => owner.Send("POST", $"/stacks/{stack}/deployment-objects", new { yaml_content = $"n: {i}" }),
            _ => owner.Send("PUT", $"/stacks/{stack}", new { id = stack, created_at = DateTime.UtcNow, updated_at = DateTime.UtcNow, name = Fleet.Unique("s"), generator_id = generator.Id }),
        });
        var statuses = (await Task.WhenAll(calls)).Select(r => { using (r) return (int)r.StatusCode; }).ToList();
        Assert.All(statuses, s => Assert.True(s is >= 200 and < 300 or 404, $"unexpected {s}"));
        Assert.Contains(204, statuses);
    }

    /// <summary>
    /// An unregistration that commits between the target's registration check and its insert must not leave a target
    /// without consent. The test holds the stack row, so the target insert (its foreign key check) waits right after
    /// the check; the unregistration then runs, and must wait for the target rather than slip in between.
    /// </summary>
    [Fact]
    public async Task An_unregistration_racing_a_new_target_leaves_no_target_behind()
    {
        var generator = await _fleet.GeneratorAsync();
        var agent = await _fleet.AgentAsync(generator.Id);
        var stack = await _fleet.StackAsync(generator);
        var admin = _fleet.Admin;

        await using var blocker = new NpgsqlConnection(broker.ConnectionString);
        await blocker.OpenAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await Execute(blocker, $"SELECT 1 FROM stacks WHERE id = '{stack}' FOR UPDATE");

        var targeting = admin.Send("POST", $"/agents/{agent.Id}/targets", new { agent_id = agent.Id, stack_id = stack });
        await Until(async () => await LockWaitersAsync(blocker) >= 1);
        var unregistering = admin.Send("DELETE", $"/generators/{generator.Id}/register", new { agent_id = agent.Id });
        // Without the row lock the unregistration completes at once; with it, it waits behind the target insert.
        await Until(async () => unregistering.IsCompleted || await LockWaitersAsync(blocker) >= 2);
        await hold.RollbackAsync();

        using (var targeted = await targeting)
        {
            Assert.Equal(HttpStatusCode.Created, targeted.StatusCode);
        }
        await unregistering.Expect(204);
        Assert.Equal(0, (await admin.Send("GET", $"/agents/{agent.Id}/targets").Expect(200)).GetArrayLength());
    }

    /// <summary>
    /// A deployment object whose body is still arriving when its stack is deleted must not land as a live object of
    /// the deleted stack: the create is held (Expect: 100-continue) until the broker has checked the stack and started
    /// reading the body, then the stack is deleted, then the body is sent.
    /// </summary>
    [Fact]
    public async Task A_deployment_object_finished_after_its_stack_was_deleted_is_refused_with_404()
    {
        var generator = await _fleet.GeneratorAsync();
        var stack = await _fleet.StackAsync(generator);
        using var slowClient = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = broker.Client().BaseAddress,
        };
        var content = new HeldContent("kind: ConfigMap\n");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/stacks/{stack}/deployment-objects") { Content = content };
        request.Headers.ExpectContinue = true;
        request.Headers.TryAddWithoutValidation("Authorization", generator.Pak);

        var creating = slowClient.SendAsync(request);
        await content.Requested.WaitAsync(TimeSpan.FromSeconds(30)); // the broker asked for the body: its stack check passed
        await broker.Client(generator.Pak).Send("DELETE", $"/stacks/{stack}").Expect(204);
        content.Send();

        await creating.ExpectError(404, "stack_not_found");
        await using var db = new NpgsqlConnection(broker.ConnectionString);
        await db.OpenAsync();
        await using var live = new NpgsqlCommand(
            $"SELECT count(*) FROM deployment_objects WHERE stack_id = '{stack}' AND deleted_at IS NULL AND NOT is_deletion_marker", db);
        Assert.Equal(0L, (long)(await live.ExecuteScalarAsync())!);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Other sessions of this database waiting for a lock.</summary>
    private static async Task<long> LockWaitersAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
            connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the expected interleaving did not happen within 30 s");
            await Task.Delay(20);
        }
    }

    /// <summary>A raw YAML body that is only written once the test calls <see cref="Send"/>.</summary>
    private sealed class HeldContent : HttpContent
    {
        private readonly byte[] _bytes;
        private readonly TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _send = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HeldContent(string yaml)
        {
            _bytes = System.Text.Encoding.UTF8.GetBytes(yaml);
            Headers.ContentType = new MediaTypeHeaderValue("application/yaml");
        }

        /// <summary>Completes when the client starts sending the body, i.e. after the broker's 100 Continue.</summary>
        public Task Requested => _requested.Task;

        public void Send() => _send.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            _requested.TrySetResult();
            await _send.Task;
            await stream.WriteAsync(_bytes);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }

    /// <summary>Sets up the shared state and returns one racer's request.</summary>
    private async Task<Func<int, Task<HttpResponseMessage>>> PrepareAsync(string row)
    {
        var admin = _fleet.Admin;
        switch (row)
        {
            case "generator name":
            {
                var name = Fleet.Unique("race");
                return _ => admin.Send("POST", "/generators", new { name });
            }
            case "agent name and cluster":
            {
                var name = Fleet.Unique("race");
                return _ => admin.Send("POST", "/agents", new { name, cluster_name = "c" });
            }
            case "stack name from two generators":
            {
                var one = await _fleet.GeneratorAsync();
                var two = await _fleet.GeneratorAsync();
                var name = Fleet.Unique("race");
                return i =>
                {
                    var g = i % 2 == 0 ? one : two;
                    return broker.Client(g.Pak).Send("POST", "/stacks", new { name, generator_id = g.Id });
                };
            }
            case "explicit target":
            {
                var generator = await _fleet.GeneratorAsync();
                var agent = await _fleet.AgentAsync(generator.Id);
                var stack = await _fleet.StackAsync(generator);
                return i => (i % 2 == 0 ? admin : broker.Client(generator.Pak))
                    .Send("POST", $"/agents/{agent.Id}/targets", new { agent_id = agent.Id, stack_id = stack });
            }
            case "self-registration":
            {
                var generator = await _fleet.GeneratorAsync();
                var agent = await _fleet.AgentAsync();
                return _ => broker.Client(agent.Pak).Send("POST", $"/generators/{generator.Id}/register", new { });
            }
            case "stack label":
            {
                var generator = await _fleet.GeneratorAsync();
                var stack = await _fleet.StackAsync(generator);
                return _ => broker.Client(generator.Pak).Send("POST", $"/stacks/{stack}/labels", "env:race");
            }
            default:
            {
                var agent = await _fleet.AgentAsync();
                return i => admin.Send("POST", $"/agents/{agent.Id}/annotations", new { agent_id = agent.Id, key = "zone", value = $"z{i}" });
            }
        }
    }
}
