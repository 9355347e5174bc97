using System.Net;
using System.Text;
using System.Text.Json;

namespace Brokkr.Tests.Broker;

/// <summary>
/// Client mistakes (spec §3, issue's bad-input list): each gets a 4xx with the error envelope and its code, never a
/// 500, and writes nothing.
/// </summary>
public sealed class BadInputTests(WorldBrokerHost broker) : IClassFixture<WorldBrokerHost>
{
    private sealed record Case(string Method, Func<World, string> Path, Func<World, HttpContent?> Body, int Status, string Code, bool AsAgent = false);

    private static readonly string Long65 = new('x', 65);
    private static readonly string Wide33 = string.Concat(Enumerable.Repeat("é", 33)); // 33 characters, 66 UTF-8 bytes

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["malformed JSON"] = new("POST", _ => "/generators", _ => Json("{\"name\":"), 400, "invalid_json"),
        ["JSON array instead of object"] = new("POST", _ => "/generators", _ => Json("[]"), 422, "invalid_body"),
        ["wrong member type"] = new("POST", _ => "/generators", _ => Json("{\"name\":5}"), 422, "invalid_body"),
        ["missing required member"] = new("POST", _ => "/stacks", _ => Json("{\"name\":\"x\"}"), 422, "invalid_body"),
        ["null required member"] = new("POST", _ => "/agents", _ => Json("{\"name\":null,\"cluster_name\":\"c\"}"), 422, "invalid_body"),
        ["missing body"] = new("POST", _ => "/generators", _ => null, 422, "invalid_body"),
        ["invalid UUID in body"] = new("POST", _ => "/stacks", _ => Json("{\"name\":\"x\",\"generator_id\":\"not-a-uuid\"}"), 422, "invalid_body"),
        ["invalid UUID in path"] = new("GET", _ => "/agents/not-a-uuid", _ => null, 400, "invalid_path"),
        ["invalid UUID in second path segment"] = new("DELETE", w => $"/agents/{w.A1.Id}/targets/42", _ => null, 400, "invalid_path"),
        ["invalid UUID in query"] = new("GET", _ => "/stacks?pak_id=nope", _ => null, 400, "invalid_path"),
        ["body without JSON content type"] = new("POST", _ => "/generators", _ => Text("{\"name\":\"x\"}", "text/plain"), 415, "unsupported_media_type"),
        ["unknown generator"] = new("GET", _ => $"/generators/{Guid.NewGuid()}", _ => null, 404, "generator_not_found"),
        ["unknown agent"] = new("GET", _ => $"/agents/{Guid.NewGuid()}", _ => null, 404, "agent_not_found"),
        ["unknown stack"] = new("GET", _ => $"/stacks/{Guid.NewGuid()}", _ => null, 404, "stack_not_found"),
        ["unknown stack for a target"] = new("POST", w => $"/agents/{w.A1.Id}/targets", w => Json(new { agent_id = w.A1.Id, stack_id = Guid.NewGuid() }), 404, "stack_not_found"),
        ["unknown deployment object"] = new("GET", _ => $"/deployment-objects/{Guid.NewGuid()}", _ => null, 404, "deployment_object_not_found"),
        ["blank generator name"] = new("POST", _ => "/generators", _ => Json(new { name = "  " }), 400, "invalid_generator"),
        ["over-long generator name"] = new("POST", _ => "/generators", _ => Json(new { name = new string('g', 256) }), 400, "invalid_generator"),
        ["blank agent cluster"] = new("POST", _ => "/agents", _ => Json(new { name = "a", cluster_name = "" }), 400, "invalid_agent"),
        ["over-long agent status"] = new("PUT", w => $"/agents/{w.A1.Id}", _ => Json(new { status = new string('S', 51) }), 400, "invalid_agent"),
        ["malformed generator id for an agent"] = new("POST", _ => "/agents", _ => Json(new { name = "a", cluster_name = "c", generator_ids = new[] { "nope" } }), 400, "invalid_generator_id"),
        ["blank stack name"] = new("POST", _ => "/stacks", w => Json(new { name = "", generator_id = w.G1.Id }), 400, "invalid_stack"),
        ["over-long stack label"] = new("POST", w => $"/stacks/{w.S1}/labels", _ => Json(JsonSerializer.Serialize(Long65)), 400, "invalid_label"),
        ["stack label over 64 bytes in 33 characters"] = new("POST", w => $"/stacks/{w.S1}/labels", _ => Json(JsonSerializer.Serialize(Wide33)), 400, "invalid_label"),
        ["stack label with whitespace"] = new("POST", w => $"/stacks/{w.S1}/labels", _ => Json("\"env prod\""), 400, "invalid_label"),
        ["empty stack label"] = new("POST", w => $"/stacks/{w.S1}/labels", _ => Json("\"\""), 400, "invalid_label"),
        ["stack label not a string"] = new("POST", w => $"/stacks/{w.S1}/labels", _ => Json("5"), 422, "invalid_body"),
        ["over-long agent label"] = new("POST", w => $"/agents/{w.A1.Id}/labels", w => Json(new { agent_id = w.A1.Id, label = Long65 }), 400, "invalid_label"),
        ["over-long stack annotation value"] = new("POST", w => $"/stacks/{w.S1}/annotations", w => Json(new { stack_id = w.S1, key = "k", value = Long65 }), 400, "invalid_annotation"),
        ["over-long agent annotation key"] = new("POST", w => $"/agents/{w.A1.Id}/annotations", w => Json(new { agent_id = w.A1.Id, key = Long65, value = "v" }), 400, "invalid_annotation"),
        ["empty YAML"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", _ => Json(new { yaml_content = "" }), 400, "invalid_deployment_object"),
        ["blank YAML"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", _ => Json(new { yaml_content = "  \n\t\n" }), 400, "invalid_deployment_object"),
        ["comment-only YAML"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", _ => Json(new { yaml_content = "# nothing here\n" }), 400, "invalid_deployment_object"),
        ["null documents only"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", _ => Json(new { yaml_content = "---\n~\n---\nnull\n" }), 400, "invalid_deployment_object"),
        ["invalid YAML"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", _ => Json(new { yaml_content = "a: [1, 2\n" }), 400, "invalid_deployment_object"),
        ["invalid raw YAML"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", _ => Text("a: b: c\n", "application/yaml"), 400, "invalid_deployment_object"),
        ["empty raw YAML"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", _ => Text("", "text/yaml"), 400, "invalid_deployment_object"),
        ["non-UTF-8 raw YAML"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", _ => Bytes([0x61, 0x3a, 0x20, 0xff, 0xfe], "application/yaml"), 400, "invalid_deployment_object"),
        // Without a depth limit these overflow the stack of YamlDotNet's recursive loader and kill the broker.
        ["50 000 nested flow sequences"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", _ => Text(new string('[', 50_000), "application/yaml"), 400, "invalid_deployment_object"),
        ["50 000 nested flow mappings"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", _ => Text(string.Concat(Enumerable.Repeat("{a: ", 50_000)), "application/yaml"), 400, "invalid_deployment_object"),
        ["deeply nested JSON in yaml_content"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects",
            _ => Json(new { yaml_content = string.Concat(Enumerable.Repeat("[{\"a\": ", 20_000)) }), 400, "invalid_deployment_object"),
        ["block mappings nested 101 deep"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", _ => Text(NestedBlockMappings(101), "application/yaml"), 400, "invalid_deployment_object"),
        // Stored as is, these would expand to 10⁹ nodes (or loop) in every agent that loads them.
        ["a billion laughs (YAML aliases)"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects",
            _ => Text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: laughs}\n" + Foundation.BoundedYamlParserTests.Laughs, "application/yaml"), 400, "invalid_deployment_object"),
        ["a YAML alias inside the node it names"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects",
            _ => Json(new { yaml_content = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: loop}\ndata: &d {a: *d}\n" }), 400, "invalid_deployment_object"),
        ["malformed JSON deployment object"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", _ => Json("{\"yaml_content\":"), 400, "invalid_deployment_object"),
        ["yaml_content not a string"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", _ => Json("{\"yaml_content\":5}"), 400, "invalid_deployment_object"),
        ["event message over 16 KiB"] = new("POST", w => $"/agents/{w.A1.Id}/events",
            w => Json(new { agent_id = w.A1.Id, deployment_object_id = w.D1, event_type = "DEPLOY", status = "FAILURE", message = new string('m', 16_385) }),
            400, "invalid_agent_event", AsAgent: true),
        ["a health report of 1,001 entries"] = new("PATCH", w => $"/agents/{w.A1.Id}/health-status",
            w => Json(new { deployment_objects = Enumerable.Repeat(new { id = w.D1, status = "healthy", checked_at = DateTime.UtcNow }, 1_001) }),
            400, "too_many_health_records", AsAgent: true),
        ["unknown event status"] = new("POST", w => $"/agents/{w.A1.Id}/events",
            w => Json(new { agent_id = w.A1.Id, deployment_object_id = w.D1, event_type = "DEPLOY", status = "MAYBE" }), 400, "invalid_agent_event", AsAgent: true),
        ["blank event type"] = new("POST", w => $"/agents/{w.A1.Id}/events",
            w => Json(new { agent_id = w.A1.Id, deployment_object_id = w.D1, event_type = " ", status = "SUCCESS" }), 400, "invalid_agent_event", AsAgent: true),
        ["event for another agent id"] = new("POST", w => $"/agents/{w.A1.Id}/events",
            w => Json(new { agent_id = w.A2.Id, deployment_object_id = w.D1, event_type = "DEPLOY", status = "SUCCESS" }), 400, "agent_id_mismatch", AsAgent: true),
        // PostgreSQL refuses NUL in text (SQLSTATE 22021): names and tags are validated first, free text is mapped.
        ["NUL in a generator name"] = new("POST", _ => "/generators", _ => Json(new { name = "gen\0" }), 400, "invalid_generator"),
        ["NUL in a generator description"] = new("POST", _ => "/generators", _ => Json(new { name = "nul-description", description = "a\0b" }), 422, "invalid_value"),
        ["NUL in an agent name"] = new("POST", _ => "/agents", _ => Json(new { name = "\0", cluster_name = "c" }), 400, "invalid_agent"),
        ["NUL in an agent cluster on update"] = new("PUT", w => $"/agents/{w.A1.Id}", _ => Json(new { cluster_name = "c\0" }), 400, "invalid_agent"),
        ["NUL in a stack name"] = new("POST", _ => "/stacks", w => Json(new { name = "s\0", generator_id = w.G1.Id }), 400, "invalid_stack"),
        ["NUL in a stack description"] = new("POST", _ => "/stacks", w => Json(new { name = "nul-description", generator_id = w.G1.Id, description = "\0" }), 422, "invalid_value"),
        ["NUL in a stack label"] = new("POST", w => $"/stacks/{w.S1}/labels", _ => Json(JsonSerializer.Serialize("env:\0")), 400, "invalid_label"),
        ["control character in an agent label"] = new("POST", w => $"/agents/{w.A1.Id}/labels", w => Json(new { agent_id = w.A1.Id, label = "tier\u0007" }), 400, "invalid_label"),
        ["NUL in an agent annotation key"] = new("POST", w => $"/agents/{w.A1.Id}/annotations", w => Json(new { agent_id = w.A1.Id, key = "k\0", value = "v" }), 400, "invalid_annotation"),
        ["NUL in a stack annotation value"] = new("POST", w => $"/stacks/{w.S1}/annotations", w => Json(new { stack_id = w.S1, key = "k", value = "\0" }), 400, "invalid_annotation"),
        ["NUL in an event type"] = new("POST", w => $"/agents/{w.A1.Id}/events",
            w => Json(new { agent_id = w.A1.Id, deployment_object_id = w.D1, event_type = "DEPLOY\0", status = "SUCCESS" }), 400, "invalid_agent_event", AsAgent: true),
        ["NUL in an event message"] = new("POST", w => $"/agents/{w.A1.Id}/events",
            w => Json(new { agent_id = w.A1.Id, deployment_object_id = w.D1, event_type = "DEPLOY", status = "SUCCESS", message = "a\0b" }), 422, "invalid_value", AsAgent: true),
        ["NUL in YAML"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", _ => Json(new { yaml_content = "a: \"b\0\"\n" }), 400, "invalid_deployment_object"),
        ["NUL in the agent search query"] = new("GET", _ => "/agents/?name=%00&cluster_name=c1", _ => null, 422, "invalid_value"),
        // "\ud800" is valid JSON syntax but half a surrogate pair: not text, and JsonElement.GetString() throws.
        ["unpaired surrogate in an agent update"] = new("PUT", w => $"/agents/{w.A1.Id}", _ => Json("{\"name\":\"\\ud800\"}"), 400, "invalid_json"),
        ["unpaired surrogate in a property name"] = new("PUT", w => $"/agents/{w.A1.Id}", _ => Json("{\"\\udc00\":1}"), 400, "invalid_json"),
        ["unpaired surrogate in a typed body"] = new("POST", _ => "/generators", _ => Json("{\"name\":\"g\\udfff\"}"), 400, "invalid_json"),
        ["unpaired surrogate in yaml_content"] = new("POST", w => $"/stacks/{w.S1}/deployment-objects", _ => Json("{\"yaml_content\":\"a: \\ud800\"}"), 400, "invalid_deployment_object"),
        ["unknown health status"] = new("PATCH", w => $"/agents/{w.A1.Id}/health-status",
            w => Json(new { deployment_objects = new[] { new { id = w.D1, status = "great", checked_at = DateTime.UtcNow } } }), 422, "invalid_health_record", AsAgent: true),
        ["health of an unknown object"] = new("PATCH", w => $"/agents/{w.A1.Id}/health-status",
            w => Json(new { deployment_objects = new[] { new { id = Guid.NewGuid(), status = "healthy", checked_at = DateTime.UtcNow } } }), 422, "foreign_key_violation", AsAgent: true),
    };

    public static TheoryData<string> Names() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Bad_input_gets_a_4xx_with_its_code(string name)
    {
        var @case = Cases[name];
        var world = broker.Shared;
        var client = broker.Client(@case.AsAgent ? world.A1.Pak : BrokerHost.DevAdminPak);
        using var request = new HttpRequestMessage(new HttpMethod(@case.Method), "/api/v1" + @case.Path(world)) { Content = @case.Body(world) };
        await client.SendAsync(request).ExpectError(@case.Status, @case.Code);
    }

    [Theory]
    [InlineData("/agents/{agent}/health-status", "PATCH", "{\"deployment_objects\": \"none\"}", "invalid value at $.deployment_objects: expected an array")]
    [InlineData("/agents/{agent}/health-status", "PATCH", "{\"deployment_objects\": [{\"id\": 5}]}", "invalid value at $.deployment_objects[0].id: expected a UUID string")]
    [InlineData("/agents/{agent}/events", "POST", "{\"agent_id\": \"{agent}\", \"deployment_object_id\": \"{do}\", \"event_type\": \"DEPLOY\", \"status\": 1}", "invalid value at $.status: expected a string")]
    [InlineData("/stacks", "POST", "{\"name\": \"x\"}", "missing required member(s): generator_id")]
    public async Task A_body_of_the_wrong_shape_is_explained_in_API_terms(string path, string method, string body, string message)
    {
        var world = broker.Shared;
        string Fill(string s) => s.Replace("{agent}", world.A1.Id.ToString()).Replace("{do}", world.D1.ToString());
        var client = broker.Client(path.StartsWith("/agents", StringComparison.Ordinal) ? world.A1.Pak : BrokerHost.DevAdminPak);

        var error = await client.Send(method, Fill(path), Json(Fill(body))).Expect(422);

        Assert.Equal("invalid_body", error.Str("code"));
        Assert.Equal(message, error.Str("message"));
    }

    [Fact]
    public async Task Unknown_routes_and_wrong_methods_get_404_and_405()
    {
        var admin = broker.Client();
        using (var unknown = await admin.Send("GET", "/no-such-thing"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
        using var wrongMethod = await admin.Send("PATCH", "/generators");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
    }

    [Fact]
    public async Task A_rejected_agent_creation_writes_nothing()
    {
        var admin = broker.Client();
        var name = Fleet.Unique("half");
        await admin.Send("POST", "/agents", new { name, cluster_name = "c", generator_ids = new[] { broker.Shared.G1.Id, Guid.NewGuid() } })
            .ExpectError(400, "invalid_generator_id");
        await admin.Send("GET", $"/agents/?name={name}&cluster_name=c").ExpectError(404, "agent_not_found");
    }

    [Fact]
    public async Task A_health_report_with_one_bad_entry_writes_none_of_it()
    {
        var world = broker.Shared;
        var agent = broker.Client(world.A1.Pak);
        await agent.Send("PATCH", $"/agents/{world.A1.Id}/health-status", new
        {
            deployment_objects = new object[]
            {
                new { id = world.D1, status = "healthy", checked_at = DateTime.UtcNow },
                new { id = Guid.NewGuid(), status = "healthy", checked_at = DateTime.UtcNow },
            },
        }).ExpectError(422, "foreign_key_violation");
        var health = await broker.Client().Send("GET", $"/deployment-objects/{world.D1}/health").Expect(200);
        Assert.Equal(0, health.GetProperty("health_records").GetArrayLength());
    }

    [Fact]
    public async Task A_health_report_of_the_maximum_size_is_written_and_its_last_entry_per_object_wins()
    {
        var world = broker.Shared;
        var fleet = new Fleet(broker);
        var deploymentObject = (await fleet.DeploymentObjectAsync(world.G1, await fleet.StackAsync(world.G1))).Id();
        var agent = broker.Client(world.A1.Pak);
        var entries = Enumerable.Range(0, 1_000)
            .Select(i => new { id = deploymentObject, status = i == 999 ? "degraded" : "healthy", checked_at = DateTime.UtcNow })
            .ToArray();

        await agent.Send("PATCH", $"/agents/{world.A1.Id}/health-status", new { deployment_objects = entries }).Expect(200);

        var health = await broker.Client().Send("GET", $"/deployment-objects/{deploymentObject}/health").Expect(200);
        var record = Assert.Single(health.GetProperty("health_records").EnumerateArray());
        Assert.Equal("degraded", record.Str("status"));
    }

    [Fact]
    public async Task YAML_nested_exactly_to_the_limit_is_accepted()
    {
        var fleet = new Fleet(broker);
        var stack = await fleet.StackAsync(broker.Shared.G1);
        var owner = broker.Client(broker.Shared.G1.Pak);
        await owner.Send("POST", $"/stacks/{stack}/deployment-objects", Text(NestedBlockMappings(100), "application/yaml")).Expect(201);
        await owner.Send("POST", $"/stacks/{stack}/deployment-objects", Text(new string('[', 100) + new string(']', 100), "application/yaml")).Expect(201);
        await owner.Send("POST", $"/stacks/{stack}/deployment-objects", Text(new string('[', 101) + new string(']', 101), "application/yaml"))
            .ExpectError(400, "invalid_deployment_object");
    }

    [Fact]
    public async Task An_escaped_surrogate_pair_is_text_and_accepted()
    {
        var name = Fleet.Unique("emoji");
        var created = await broker.Client().Send("POST", "/generators", Json($"{{\"name\":\"{name}-\\ud83d\\ude00\"}}")).Expect(201);
        Assert.Equal(name + "-\U0001F600", created.GetProperty("generator").Str("name"));
    }

    /// <summary><c>depth</c> block mappings, one inside the other (<c>k:\n  k:\n    ... v</c>).</summary>
    private static string NestedBlockMappings(int depth) =>
        string.Concat(Enumerable.Range(0, depth).Select(i => new string(' ', 2 * i) + (i == depth - 1 ? "k: v\n" : "k:\n")));

    private static HttpContent Json(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    private static HttpContent Json(object value) => Json(JsonSerializer.Serialize(value));

    private static HttpContent Text(string text, string mediaType) => BrokerHttp.Raw(text, mediaType);

    private static HttpContent Bytes(byte[] bytes, string mediaType) =>
        new ByteArrayContent(bytes) { Headers = { ContentType = new(mediaType) } };
}

/// <summary>Request bodies above <c>broker.max_request_body_bytes</c> get 413 <c>payload_too_large</c>.</summary>
public sealed class BodyLimitTests(BodyLimitTests.SmallBodyLimitBroker broker) : IClassFixture<BodyLimitTests.SmallBodyLimitBroker>
{
    public sealed class SmallBodyLimitBroker : BrokerHost
    {
        public const int Limit = 2048;

        protected override IReadOnlyDictionary<string, string?> ExtraSettings =>
            new Dictionary<string, string?> { ["Brokkr:Broker:max_request_body_bytes"] = Limit.ToString() };
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_oversized_body_is_refused_with_413_and_a_smaller_one_accepted(bool withContentLength)
    {
        var fleet = new Fleet(broker);
        var generator = await fleet.GeneratorAsync();
        var stack = await fleet.StackAsync(generator);
        var owner = broker.Client(generator.Pak);
        var big = "data: \"" + new string('x', SmallBodyLimitBroker.Limit) + "\"\n";

        HttpContent content = withContentLength ? BrokerHttp.Raw(big, "application/yaml") : new ChunkedContent(big);
        await owner.Send("POST", $"/stacks/{stack}/deployment-objects", content).ExpectError(413, "payload_too_large");
        await broker.Client().Send("POST", "/generators", new { name = "x", description = big }).ExpectError(413, "payload_too_large");
        Assert.Equal(0, (await owner.Send("GET", $"/stacks/{stack}/deployment-objects").Expect(200)).GetArrayLength());
        await owner.Send("POST", $"/stacks/{stack}/deployment-objects", BrokerHttp.Raw("data: small\n", "application/yaml")).Expect(201);
    }

    /// <summary>YAML sent without a Content-Length (chunked), so Kestrel only finds the size while reading.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _bytes;

        public ChunkedContent(string text)
        {
            _bytes = Encoding.UTF8.GetBytes(text);
            Headers.ContentType = new("application/yaml");
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
