using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Brokkr.Tests.Broker;

/// <summary>Stacks, their labels and annotations, and deployment objects (spec §1.7, §1.9, §4.6–§4.8).</summary>
public sealed class StacksTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private const string Yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n";

    private readonly Fleet _fleet = new(broker);
    private HttpClient Admin => _fleet.Admin;

    [Fact]
    public async Task A_generator_creates_lists_updates_and_deletes_its_stacks()
    {
        var generator = await _fleet.GeneratorAsync();
        var owner = broker.Client(generator.Pak);
        var name = Fleet.Unique("web");
        var stack = await owner.Send("POST", "/stacks", new { name, description = "front", generator_id = generator.Id }).Expect(201);
        Assert.Equal(generator.Id, stack.Id("generator_id"));
        Assert.Equal(JsonValueKind.Null, stack.GetProperty("deleted_at").ValueKind);
        var id = stack.Id();

        Assert.Equal([id], (await owner.Send("GET", "/stacks").Expect(200)).EnumerateArray().Select(s => s.Id()));
        Assert.Equal([id], (await Admin.Send("GET", $"/stacks?pak_id={generator.Id}").Expect(200)).EnumerateArray().Select(s => s.Id()));
        Assert.Equal(0, (await Admin.Send("GET", $"/stacks?pak_id={Guid.NewGuid()}").Expect(200)).GetArrayLength());
        Assert.Contains((await Admin.Send("GET", "/stacks").Expect(200)).EnumerateArray(), s => s.Id() == id);

        // PUT applies name and description only: no ownership transfer, no soft delete through PUT.
        var other = await _fleet.GeneratorAsync();
        var updated = await owner.Send("PUT", $"/stacks/{id}", new
        {
            id, created_at = "2001-01-01T00:00:00+02:00", updated_at = "2001-01-01T00:00:00Z", deleted_at = "2001-01-01T00:00:00Z",
            name = name + "-v2", generator_id = other.Id, description = (string?)null,
        }).Expect(200);
        Assert.Equal(name + "-v2", updated.Str("name"));
        Assert.Equal("front", updated.Str("description"));
        Assert.Equal(generator.Id, updated.Id("generator_id"));
        Assert.Equal(JsonValueKind.Null, updated.GetProperty("deleted_at").ValueKind);
        await owner.Send("PUT", $"/stacks/{id}", new
        {
            id = Guid.NewGuid(), created_at = DateTime.UtcNow, updated_at = DateTime.UtcNow, name, generator_id = generator.Id,
        }).ExpectError(400, "stack_id_mismatch");

        await owner.Send("DELETE", $"/stacks/{id}").Expect(204);
        await owner.Send("GET", $"/stacks/{id}").ExpectError(404, "stack_not_found");
        await owner.Send("DELETE", $"/stacks/{id}").ExpectError(404, "stack_not_found");
        Assert.Equal(0, (await owner.Send("GET", "/stacks").Expect(200)).GetArrayLength());
        // Stack names are unique among live stacks globally, so the deleted one's name is free again.
        await broker.Client(other.Pak).Send("POST", "/stacks", new { name = name + "-v2", generator_id = other.Id }).Expect(201);
        var clash = await owner.Send("POST", "/stacks", new { name = name + "-v2", generator_id = generator.Id }).Expect(409);
        Assert.Equal("unique_stack_name", clash.GetProperty("details").Str("constraint"));
        await Admin.Send("POST", "/stacks", new { name = Fleet.Unique("s"), generator_id = Guid.NewGuid() }).ExpectError(422, "foreign_key_violation");
    }

    [Fact]
    public async Task Labels_and_annotations_of_a_stack()
    {
        var generator = await _fleet.GeneratorAsync();
        var owner = broker.Client(generator.Pak);
        var stack = await _fleet.StackAsync(generator);

        var label = await owner.Send("POST", $"/stacks/{stack}/labels", "env:prod").Expect(201);
        Assert.Equal(stack, label.Id("stack_id"));
        await owner.Send("POST", $"/stacks/{stack}/labels", "env:prod").ExpectError(409, "unique_violation");
        var annotation = await owner.Send("POST", $"/stacks/{stack}/annotations", new { stack_id = stack, key = "team", value = "web" }).Expect(201);
        Assert.Equal("web", annotation.Str("value"));
        var clash = await owner.Send("POST", $"/stacks/{stack}/annotations", new { stack_id = stack, key = "team", value = "ops" }).Expect(409);
        Assert.Equal("unique_stack_annotation", clash.GetProperty("details").Str("constraint"));
        await owner.Send("POST", $"/stacks/{stack}/annotations", new { stack_id = Guid.NewGuid(), key = "a", value = "b" }).ExpectError(400, "stack_id_mismatch");

        Assert.Equal(["env:prod"], (await owner.Send("GET", $"/stacks/{stack}/labels").Expect(200)).EnumerateArray().Select(l => l.Str("label")));
        Assert.Equal(["team"], (await owner.Send("GET", $"/stacks/{stack}/annotations").Expect(200)).EnumerateArray().Select(a => a.Str("key")));
        Assert.Equal(0, (await Admin.Send("GET", $"/stacks/{Guid.NewGuid()}/labels").Expect(200)).GetArrayLength());
        await owner.Send("GET", $"/stacks/{Guid.NewGuid()}/labels").ExpectError(404, "stack_not_found");

        await owner.Send("DELETE", $"/stacks/{stack}/labels/env:prod").Expect(204);
        await owner.Send("DELETE", $"/stacks/{stack}/labels/env:prod").ExpectError(404, "stack_label_not_found");
        await owner.Send("DELETE", $"/stacks/{stack}/annotations/team").Expect(204);
        await owner.Send("DELETE", $"/stacks/{stack}/annotations/team").ExpectError(404, "stack_annotation_not_found");
        await owner.Send("DELETE", $"/stacks/{Guid.NewGuid()}/annotations/team").ExpectError(404, "stack_not_found");
    }

    [Fact]
    public async Task Deployment_objects_in_JSON_and_raw_YAML_form_with_broker_computed_checksums()
    {
        var generator = await _fleet.GeneratorAsync();
        var owner = broker.Client(generator.Pak);
        var stack = await _fleet.StackAsync(generator);

        var json = await owner.Send("POST", $"/stacks/{stack}/deployment-objects",
            new { yaml_content = Yaml, yaml_checksum = "ignored", extra = 1 }).Expect(201);
        Assert.Equal(Sha256(Yaml), json.Str("yaml_checksum"));
        Assert.False(json.GetProperty("is_deletion_marker").GetBoolean());
        Assert.Equal(stack, json.Id("stack_id"));

        var raw = await owner.Send("POST", $"/stacks/{stack}/deployment-objects", BrokerHttp.Raw(Yaml, "application/x-yaml; charset=utf-8")).Expect(201);
        Assert.Equal(Sha256(Yaml), raw.Str("yaml_checksum"));
        Assert.True(raw.GetProperty("sequence_id").GetInt64() > json.GetProperty("sequence_id").GetInt64());

        // A JSON body without a Content-Type is still the JSON form.
        var untyped = new ByteArrayContent(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { yaml_content = "a: 1" })));
        await owner.Send("POST", $"/stacks/{stack}/deployment-objects", untyped).Expect(201);
        // ...and so is one under any other non-YAML Content-Type.
        await owner.Send("POST", $"/stacks/{stack}/deployment-objects", BrokerHttp.Raw("{\"yaml_content\":\"b: 2\"}", "text/plain")).Expect(201);

        var marker = await owner.Send("POST", $"/stacks/{stack}/deployment-objects?deletion_marker=true", BrokerHttp.Raw("", "text/yaml")).Expect(201);
        Assert.True(marker.GetProperty("is_deletion_marker").GetBoolean());
        Assert.Equal("", marker.Str("yaml_content"));

        var listed = await owner.Send("GET", $"/stacks/{stack}/deployment-objects").Expect(200);
        var sequence = listed.EnumerateArray().Select(d => d.GetProperty("sequence_id").GetInt64()).ToList();
        Assert.Equal(5, sequence.Count);
        Assert.Equal(sequence.OrderDescending(), sequence);
        Assert.Equal(marker.Id(), listed[0].Id());
    }

    [Fact]
    public async Task A_deployment_object_is_served_as_JSON_or_as_raw_YAML_by_Accept()
    {
        var generator = await _fleet.GeneratorAsync();
        var stack = await _fleet.StackAsync(generator);
        var id = (await _fleet.DeploymentObjectAsync(generator, stack, Yaml)).Id();

        Assert.Equal(Yaml, (await Admin.Send("GET", $"/deployment-objects/{id}").Expect(200)).Str("yaml_content"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/deployment-objects/{id}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/yaml", 0.5));
        using var response = await broker.Client(generator.Pak).SendAsync(request);
        Assert.Equal("application/yaml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Yaml, await response.Content.ReadAsStringAsync());
        await Admin.Send("GET", $"/deployment-objects/{Guid.NewGuid()}").ExpectError(404, "deployment_object_not_found");
    }

    [Fact]
    public async Task Deleting_a_stack_soft_deletes_its_objects_and_leaves_a_deletion_marker()
    {
        var generator = await _fleet.GeneratorAsync();
        var stack = await _fleet.StackAsync(generator);
        var id = (await _fleet.DeploymentObjectAsync(generator, stack)).Id();
        await Admin.Send("DELETE", $"/stacks/{stack}").Expect(204);
        await Admin.Send("GET", $"/deployment-objects/{id}").ExpectError(404, "deployment_object_not_found");

        // The marker is history only (spec §1.7): verify it in the database, where the trigger wrote it.
        await using var connection = new Npgsql.NpgsqlConnection(broker.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT yaml_content, yaml_checksum, is_deletion_marker, deleted_at IS NULL, submitted_at = (SELECT deleted_at FROM stacks WHERE id = @s) " +
            "FROM deployment_objects WHERE stack_id = @s ORDER BY sequence_id DESC LIMIT 1", connection);
        command.Parameters.AddWithValue("s", stack);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("", reader.GetString(0));
        Assert.Equal("d41d8cd98f00b204e9800998ecf8427e", reader.GetString(1));
        Assert.True(reader.GetBoolean(2));
        Assert.True(reader.GetBoolean(3));
        Assert.True(reader.GetBoolean(4));
    }

    [Fact]
    public async Task Deployment_objects_are_immutable_in_the_database()
    {
        var generator = await _fleet.GeneratorAsync();
        var stack = await _fleet.StackAsync(generator);
        var id = (await _fleet.DeploymentObjectAsync(generator, stack)).Id();
        await using var connection = new Npgsql.NpgsqlConnection(broker.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("UPDATE deployment_objects SET yaml_content = 'x: 1' WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => command.ExecuteNonQueryAsync());
        Assert.Equal("23514", error.SqlState);
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
