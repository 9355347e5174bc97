using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Brokkr.Tests.Broker.Templates;

/// <summary>Templates over real HTTP and PostgreSQL: versions, rendering into a stack, matching, and an agent receiving the result.</summary>
public sealed class TemplatesApiTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private readonly Fleet _fleet = new(broker);

    [Fact]
    public async Task Versions_are_new_rows_and_old_ones_stay_readable_until_deleted()
    {
        var generator = await _fleet.GeneratorAsync();
        var owner = broker.Client(generator.Pak);
        var name = Fleet.Unique("tpl");
        var v1 = await owner.Send("POST", "/templates", new { name, description = "d", template_content = "a: {{ x }}", parameters_schema = "{}" }).Expect(201);
        Assert.Equal((1, generator.Id), (v1.GetProperty("version").GetInt32(), v1.Id("generator_id")));
        var v2 = await owner.Send("PUT", $"/templates/{v1.Id()}", new { template_content = "b: {{ x }}", parameters_schema = "{}" }).Expect(200);
        Assert.Equal((2, name, "d"), (v2.GetProperty("version").GetInt32(), v2.Str("name"), v2.Str("description")));
        Assert.NotEqual(v1.Id(), v2.Id());
        Assert.Equal("a: {{ x }}", (await owner.Send("GET", $"/templates/{v1.Id()}").Expect(200)).Str("template_content"));
        await owner.Send("DELETE", $"/templates/{v1.Id()}").Expect(204);
        await owner.Send("GET", $"/templates/{v1.Id()}").ExpectError(404, "template_not_found");
        var listed = (await owner.Send("GET", "/templates").Expect(200)).EnumerateArray().Select(t => t.Id()).ToList();
        Assert.Contains(v2.Id(), listed);
        Assert.DoesNotContain(v1.Id(), listed);
    }

    [Fact]
    public async Task A_realistic_template_renders_byte_for_byte_and_reaches_the_agent()
    {
        var generator = await _fleet.GeneratorAsync();
        var owner = broker.Client(generator.Pak);
        var template = await owner.Send("POST", "/templates", new
        {
            name = Fleet.Unique("web"), template_content = WebServiceTemplate.Content, parameters_schema = WebServiceTemplate.Schema,
        }).Expect(201);
        await owner.Send("POST", $"/templates/{template.Id()}/labels", "env:prod").Expect(201);
        var stack = await _fleet.StackAsync(generator);

        await owner.Send("POST", $"/stacks/{stack}/deployment-objects/from-template",
            new { template_id = template.Id(), parameters = WebServiceTemplate.Parameters }).ExpectError(422, "template_stack_mismatch");
        await owner.Send("POST", $"/stacks/{stack}/labels", "env:prod").Expect(201);
        await owner.Send("POST", $"/stacks/{stack}/deployment-objects/from-template",
            new { template_id = template.Id(), parameters = new { name = "Bad Name", replicas = 0 } }).ExpectError(400, "invalid_parameters");
        Assert.Equal(0, (await owner.Send("GET", $"/stacks/{stack}/deployment-objects").Expect(200)).GetArrayLength());

        using var response = await owner.Send("POST", $"/stacks/{stack}/deployment-objects/from-template",
            new { template_id = template.Id(), parameters = WebServiceTemplate.Parameters });
        Assert.Equal(201, (int)response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("Brokkr-Template-Version").Single());
        var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(WebServiceTemplate.Expected, created.Str("yaml_content"));

        var agent = await _fleet.AgentAsync(generator.Id);
        await _fleet.TargetAsync(generator, agent, stack);
        var state = await broker.Client(agent.Pak).Send("GET", $"/agents/{agent.Id}/target-state").Expect(200);
        Assert.Contains(state.EnumerateArray(), d => d.Id() == created.Id() && d.Str("yaml_content") == WebServiceTemplate.Expected);
    }

    [Fact]
    public async Task A_rendered_object_records_the_version_and_parameters_it_came_from()
    {
        var generator = await _fleet.GeneratorAsync();
        var owner = broker.Client(generator.Pak);
        var v1 = await owner.Send("POST", "/templates", new { name = Fleet.Unique("prov"), template_content = "a: {{ x }}\n", parameters_schema = "{}" }).Expect(201);
        var v2 = await owner.Send("PUT", $"/templates/{v1.Id()}", new { template_content = "b: {{ x }}\n", parameters_schema = "{}" }).Expect(200);
        var stack = await _fleet.StackAsync(generator);
        const string parameters = """{"x":"one","nested":{"k":[1,2.5,null]},"flag":true}""";

        foreach (var (template, version, yaml) in new[] { (v1, 1, "a: one\n"), (v2, 2, "b: one\n"), (v1, 1, "a: one\n") })
        {
            using var response = await owner.Send("POST", $"/stacks/{stack}/deployment-objects/from-template",
                BrokerHttp.Raw($$"""{"template_id":"{{template.Id()}}","parameters":{{parameters}}}""", "application/json"));
            Assert.Equal(201, (int)response.StatusCode);
            Assert.Equal(template.Id().ToString(), response.Headers.GetValues("Brokkr-Template-Id").Single());
            Assert.Equal(version.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("Brokkr-Template-Version").Single());
            var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

            // Upstream keeps provenance in rendered_deployment_objects; the contract's DeploymentObject has no member for it.
            var (templateId, recordedVersion, recordedParameters) = await ProvenanceAsync(created.Id());
            Assert.Equal((template.Id(), version), (templateId, recordedVersion));
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(parameters), JsonNode.Parse(recordedParameters)), recordedParameters);

            var read = await owner.Send("GET", $"/deployment-objects/{created.Id()}").Expect(200);
            Assert.Equal(yaml, read.Str("yaml_content"));
            Assert.Equal(ContractMembers, read.EnumerateObject().Select(p => p.Name).Order().ToArray());
        }
    }

    private static readonly string[] ContractMembers =
        ["created_at", "deleted_at", "id", "is_deletion_marker", "sequence_id", "stack_id", "submitted_at", "updated_at", "yaml_checksum", "yaml_content"];

    private async Task<(Guid TemplateId, int Version, string Parameters)> ProvenanceAsync(Guid deploymentObject)
    {
        await using var connection = new NpgsqlConnection(broker.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT template_id, template_version, template_parameters FROM rendered_deployment_objects WHERE deployment_object_id = @d", connection);
        command.Parameters.AddWithValue("d", deploymentObject);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "no provenance row");
        var row = (reader.GetGuid(0), reader.GetInt32(1), reader.GetString(2));
        Assert.False(await reader.ReadAsync(), "more than one provenance row");
        return row;
    }
}
