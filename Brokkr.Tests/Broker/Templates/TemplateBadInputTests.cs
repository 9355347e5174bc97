using System.Text.Json;
using Npgsql;

namespace Brokkr.Tests.Broker.Templates;

/// <summary>
/// Every bad input of the templates issue over real HTTP and PostgreSQL: each is a 4xx with the Brokkr error JSON, and
/// each leaves the database as it found it — no template version, no deployment object, no provenance, no sequence step.
/// </summary>
public sealed class TemplateBadInputTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private const string Schema = """{"type":"object","required":["name","replicas"],"properties":{"name":{"type":"string","pattern":"^[a-z]+$"},"replicas":{"type":"integer","minimum":1}}}""";
    private const string Content = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ name }}\ndata:\n  replicas: \"{{ replicas }}\"\n";

    private readonly Fleet _fleet = new(broker);

    public static TheoryData<string, string> InvalidSchemas() => new()
    {
        { "not json at all", "is not JSON" },
        { "[1, 2]", "must be a JSON Schema object" },
        { """{"type": 5}""", "not a valid JSON Schema" },
        { """{"type": "object", "properties": {"a": {"minLength": -1}}}""", "not a valid JSON Schema" },
        { """{"required": "name"}""", "not a valid JSON Schema" },
    };

    [Theory]
    [MemberData(nameof(InvalidSchemas))]
    public async Task An_invalid_schema_is_refused_on_create_and_on_update_writing_no_version(string schema, string says)
    {
        var generator = await _fleet.GeneratorAsync();
        var owner = broker.Client(generator.Pak);
        var name = Fleet.Unique("schema");

        var refused = await owner.Send("POST", "/templates", new { name, template_content = Content, parameters_schema = schema }).ExpectError(400, "invalid_parameters_schema");
        Assert.Contains(says, refused.Str("message"));
        Assert.Equal(0, await VersionsAsync(name));

        var v1 = await owner.Send("POST", "/templates", new { name, template_content = Content, parameters_schema = Schema }).Expect(201);
        refused = await owner.Send("PUT", $"/templates/{v1.Id()}", new { template_content = Content, parameters_schema = schema }).ExpectError(400, "invalid_parameters_schema");
        Assert.Contains(says, refused.Str("message"));
        Assert.Equal(1, await VersionsAsync(name));
        Assert.Equal(Schema, (await owner.Send("GET", $"/templates/{v1.Id()}").Expect(200)).Str("parameters_schema"));
    }

    [Theory]
    [InlineData("{{ name", 400, "invalid_template_syntax")]
    [InlineData("{% macro m() %}x{% endmacro %}", 422, "unsupported_template_construct")]
    [InlineData("   ", 400, "invalid_template")]
    public async Task Template_content_that_cannot_render_is_refused_on_create_and_on_update(string content, int status, string code)
    {
        var generator = await _fleet.GeneratorAsync();
        var owner = broker.Client(generator.Pak);
        var name = Fleet.Unique("content");
        await owner.Send("POST", "/templates", new { name, template_content = content, parameters_schema = "{}" }).ExpectError(status, code);
        Assert.Equal(0, await VersionsAsync(name));

        var v1 = await owner.Send("POST", "/templates", new { name, template_content = Content, parameters_schema = Schema }).Expect(201);
        await owner.Send("PUT", $"/templates/{v1.Id()}", new { template_content = content, parameters_schema = "{}" }).ExpectError(status, code);
        Assert.Equal(1, await VersionsAsync(name));
    }

    [Fact]
    public async Task Parameters_failing_the_schema_are_listed_by_where_they_failed()
    {
        var (owner, template, stack) = await RenderableAsync(Content);
        var before = await WrittenAsync(stack, template);

        var refused = await Instantiate(owner, stack, template, new { name = "Not Lower", replicas = 0, extra = true }).ExpectError(400, "invalid_parameters");
        var failures = refused.GetProperty("details").GetProperty("validation_errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(failures, f => f.StartsWith("/name:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("/replicas:", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.StartsWith("/extra", StringComparison.Ordinal));

        refused = await Instantiate(owner, stack, template, new { name = "web" }).ExpectError(400, "invalid_parameters");
        Assert.Contains(refused.GetProperty("details").GetProperty("validation_errors").EnumerateArray(), e => e.GetString()!.Contains("replicas"));

        await Instantiate(owner, stack, template, new[] { 1, 2 }).ExpectError(400, "invalid_parameters");
        await Instantiate(owner, stack, template, "web").ExpectError(400, "invalid_parameters");
        Assert.Equal(before, await WrittenAsync(stack, template));
    }

    public static TheoryData<string, string, string> BadRenders() => new()
    {
        // A value the schema allows that breaks the YAML: the render is valid Tera, its output is not a document.
        { "a: {{ name }}\n", "invalid_deployment_object", "not valid YAML" },
        // 101 nested flow sequences: past the depth limit every deployment object has.
        { "{% for i in l %}[{% endfor %}{% for i in l %}]{% endfor %}", "invalid_deployment_object", "levels deep" },
        // Aliases expanding to a million nodes: past what any agent should load.
        { "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
          "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
          "invalid_deployment_object", "too large" },
        // Output past the render's size limit (10 MiB): 60 copies of a 200 000-character parameter.
        { "{% for i in sixty %}{{ big }}{% endfor %}", "template_render_failed", "" },
        // A variable the parameters lack.
        { "a: {{ missing }}\n", "template_render_failed", "missing" },
    };

    [Theory]
    [MemberData(nameof(BadRenders))]
    public async Task A_render_that_is_not_a_valid_deployment_object_writes_nothing(string content, string code, string says)
    {
        var (owner, template, stack) = await RenderableAsync(content, """{"type":"object"}""");
        var before = await WrittenAsync(stack, template);
        var parameters = new
        {
            name = "[unclosed",
            l = Enumerable.Range(0, 101),
            sixty = Enumerable.Range(0, 60),
            big = content.Contains("big") ? new string('x', 200_000) : "",
        };
        var refused = await Instantiate(owner, stack, template, parameters).ExpectError(400, code);
        Assert.Contains(says, refused.Str("message"));
        Assert.Equal(before, await WrittenAsync(stack, template));
    }

    [Fact]
    public async Task Unknown_or_deleted_templates_and_versions_are_404()
    {
        var (owner, v1, stack) = await RenderableAsync(Content);
        var v2 = (await owner.Send("PUT", $"/templates/{v1}", new { template_content = Content, parameters_schema = Schema }).Expect(200)).Id();
        await owner.Send("DELETE", $"/templates/{v1}").Expect(204);
        var parameters = new { name = "web", replicas = 1 };
        var before = await WrittenAsync(stack, v1);

        await Instantiate(owner, stack, Guid.NewGuid(), parameters).ExpectError(404, "template_not_found");
        await Instantiate(owner, stack, v1, parameters).ExpectError(404, "template_not_found");
        foreach (var (method, path) in new[] { ("GET", ""), ("PUT", ""), ("DELETE", ""), ("GET", "/labels"), ("POST", "/labels"), ("GET", "/annotations") })
        {
            object? body = (method, path) switch
            {
                ("PUT", _) => new { template_content = Content, parameters_schema = Schema },
                ("POST", _) => "env:prod",
                _ => null,
            };
            await owner.Send(method, $"/templates/{v1}{path}", body).ExpectError(404, "template_not_found");
            await owner.Send(method, $"/templates/{Guid.NewGuid()}{path}", body).ExpectError(404, "template_not_found");
        }
        Assert.Equal(before, await WrittenAsync(stack, v1));
        Assert.Equal(2, await VersionsAsync((await owner.Send("GET", $"/templates/{v2}").Expect(200)).Str("name")));
        await Instantiate(owner, stack, v2, parameters).Expect(201);
    }

    [Fact]
    public async Task Unknown_or_deleted_stacks_are_404_and_get_nothing()
    {
        var (owner, template, stack) = await RenderableAsync(Content);
        var parameters = new { name = "web", replicas = 1 };
        var unknown = Guid.NewGuid();
        await Instantiate(owner, unknown, template, parameters).ExpectError(404, "stack_not_found");
        Assert.Equal((0L, 0L, 0L), await WrittenAsync(unknown, template));

        await owner.Send("DELETE", $"/stacks/{stack}").Expect(204);
        var before = await WrittenAsync(stack, template);
        await Instantiate(owner, stack, template, parameters).ExpectError(404, "stack_not_found");
        Assert.Equal(before, await WrittenAsync(stack, template));
    }

    [Theory]
    [InlineData("{\"parameters\":{}}", 422, "invalid_body")]
    [InlineData("{\"template_id\":\"nope\",\"parameters\":{}}", 422, "invalid_body")]
    [InlineData("{\"template_id\":", 400, "invalid_json")]
    public async Task A_malformed_instantiation_body_is_refused(string body, int status, string code)
    {
        var (owner, template, stack) = await RenderableAsync(Content);
        var before = await WrittenAsync(stack, template);
        await owner.Send("POST", $"/stacks/{stack}/deployment-objects/from-template", BrokerHttp.Raw(body, "application/json")).ExpectError(status, code);
        Assert.Equal(before, await WrittenAsync(stack, template));
    }

    private static Task<HttpResponseMessage> Instantiate(HttpClient client, Guid stack, Guid template, object parameters) =>
        client.Send("POST", $"/stacks/{stack}/deployment-objects/from-template", new { template_id = template, parameters });

    /// <summary>A generator's template and a stack of its own it renders into.</summary>
    private async Task<(HttpClient Owner, Guid Template, Guid Stack)> RenderableAsync(string content, string schema = Schema)
    {
        var generator = await _fleet.GeneratorAsync();
        var owner = broker.Client(generator.Pak);
        var template = await owner.Send("POST", "/templates", new { name = Fleet.Unique("bad"), template_content = content, parameters_schema = schema }).Expect(201);
        return (owner, template.Id(), await _fleet.StackAsync(generator));
    }

    /// <summary>Every version of a name, deleted ones included.</summary>
    private async Task<long> VersionsAsync(string name) =>
        await ScalarAsync("SELECT count(*) FROM stack_templates WHERE name = @p", name);

    /// <summary>The stack's deployment objects (deleted included), its highest sequence id, and the template's renders.</summary>
    private async Task<(long Objects, long Sequence, long Renders)> WrittenAsync(Guid stack, Guid template) => (
        await ScalarAsync("SELECT count(*) FROM deployment_objects WHERE stack_id = @p", stack),
        await ScalarAsync("SELECT coalesce(max(sequence_id), 0) FROM deployment_objects WHERE stack_id = @p", stack),
        await ScalarAsync("SELECT count(*) FROM rendered_deployment_objects WHERE template_id = @p", template));

    private async Task<long> ScalarAsync(string sql, object parameter)
    {
        await using var connection = new NpgsqlConnection(broker.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("p", parameter);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
