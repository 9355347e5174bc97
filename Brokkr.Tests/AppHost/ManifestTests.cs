using System.Text.Json.Nodes;
using Brokkr.Tests.AppHost.Testing;
using NJsonSchema;

namespace Brokkr.Tests.AppHost;

/// <summary>The committed aspire-manifest.json is what Aspire's manifest publisher writes for the AppHost.</summary>
public sealed class ManifestTests
{
    private static readonly string Contracts = Path.Combine(RepositoryRoot.Path, "Brokkr.Tests", "Contracts");
    private static readonly string CommittedManifest = Path.Combine(RepositoryRoot.Path, "aspire-manifest.json");
    private static readonly string SchemaFile = Path.Combine(Contracts, "aspire-manifest.schema.json");

    [Fact]
    public async Task CommittedManifest_IsWhatPublishModeWrites()
    {
        // Beside the committed file, so the relative paths in it are the same.
        var written = Path.Combine(RepositoryRoot.Path, $"aspire-manifest.test-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, output) = await AppHostCommand.RunAsync("--publisher", "manifest", "--output-path", written);
            Assert.True(exitCode == 0 && File.Exists(written), output);
            Assert.Equal(File.ReadAllText(CommittedManifest), File.ReadAllText(written));
        }
        finally
        {
            File.Delete(written);
        }
    }

    [Fact]
    public void CommittedManifest_IsTheConventionsReferenceExample_ButForPrometheusConfigurationFile()
    {
        // Contracts/aspire-manifest.reference.json: the reference deployment of our Aspire conventions (postgres with a
        // data volume, broker, agent, prometheus container), as Aspire 13.6 writes it. It was written in Aspire 9.5's
        // shape; 13.6 differs in what it writes, not in what it deploys: no "$schema" member, postgres:18.3 with the
        // volume at /var/lib/postgresql (PostgreSQL 18's layout) instead of 17.6 at .../data, and no
        // OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_*_LOG_ATTRIBUTES variables on the projects.
        var reference = File.ReadAllText(Path.Combine(Contracts, "aspire-manifest.reference.json"));

        // The one deliberate difference: the example's Prometheus reads prometheus.yml, whose localhost targets are the
        // container itself once deployed; ours reads the deployment's own file from the same mounted folder.
        var expected = reference.Replace(
            "\"--config.file=/etc/prometheus/prometheus.yml\"", "\"--config.file=/etc/prometheus/prometheus.container.yml\"",
            StringComparison.Ordinal);
        Assert.NotEqual(reference, expected);
        Assert.Equal(expected, File.ReadAllText(CommittedManifest));
    }

    [Fact]
    public async Task CommittedManifest_IsValidAgainstTheAspireSchema()
    {
        var schema = await AspireSchemaAsync();

        var errors = schema.Validate(File.ReadAllText(CommittedManifest));

        var described = errors.SelectMany(e => Describe(e, "")).ToList();
        Assert.True(described.Count == 0, string.Join('\n', described));
    }

    [Fact]
    public async Task SchemaValidation_RejectsAMemberAspireDoesNotDefine()
    {
        var schema = await AspireSchemaAsync();
        var manifest = JsonNode.Parse(File.ReadAllText(CommittedManifest))!;
        manifest["resources"]!["broker"]!["annotations"] = new JsonObject { ["team"] = "platform" };

        Assert.NotEmpty(schema.Validate(manifest.ToJsonString()));
    }

    [Fact]
    public void Manifest_HasTheResourcesAndWiringOfTheModel()
    {
        var text = File.ReadAllText(CommittedManifest);
        var resources = JsonNode.Parse(text)!["resources"]!.AsObject();

        // Utf8JsonWriter's layout: two-space indent, no newline at the end.
        Assert.StartsWith("{\n  \"resources\": {\n    \"postgres\"", text);
        Assert.EndsWith("}", text);
        // Model order, then the password parameter that is only referenced.
        Assert.Equal(["postgres", "brokkr", "broker", "agent", "prometheus", "postgres-password"], resources.Select(r => r.Key));

        var postgres = resources["postgres"]!;
        Assert.Equal("container.v0", (string?)postgres["type"]);
        Assert.Equal("docker.io/library/postgres:18.3", (string?)postgres["image"]);
        Assert.Equal("brokkr.apphost-ad35f38af2-postgres-data", (string?)postgres["volumes"]![0]!["name"]);
        Assert.Equal("{postgres-password.value}", (string?)postgres["env"]!["POSTGRES_PASSWORD"]);
        Assert.Equal("{postgres.connectionString};Database=brokkr", (string?)resources["brokkr"]!["connectionString"]);

        var broker = resources["broker"]!;
        Assert.Equal("Brokkr.Broker/Brokkr.Broker.csproj", (string?)broker["path"]);
        Assert.Equal("{brokkr.connectionString}", (string?)broker["env"]!["ConnectionStrings__brokkr"]);
        Assert.Equal("{broker.bindings.http.targetPort}", (string?)broker["env"]!["HTTP_PORTS"]);
        Assert.Equal(3000, (int?)broker["bindings"]!["http"]!["targetPort"]);
        Assert.True((bool?)broker["bindings"]!["http"]!["external"]);

        var agent = resources["agent"]!;
        Assert.Equal("{broker.bindings.http.url}", (string?)agent["env"]!["services__broker__http__0"]);
        Assert.Equal("{broker.bindings.http.url}", (string?)agent["env"]!["BROKKR__AGENT__BROKER_URL"]);
        // Run-mode wiring (the local agent's PAK, the stand-in's kubeconfig) never reaches a deployment.
        Assert.DoesNotContain(agent["env"]!.AsObject(), e => e.Key.StartsWith("BROKKR__AGENT__PAK", StringComparison.Ordinal));
        Assert.Null(agent["bindings"]!["http"]!["external"]);

        var prometheus = resources["prometheus"]!;
        Assert.Equal("prom/prometheus:v3.2.1", (string?)prometheus["image"]);
        Assert.Equal("deploy/prometheus", (string?)prometheus["bindMounts"]![0]!["source"]);
        Assert.Equal("--config.file=/etc/prometheus/prometheus.container.yml", (string?)prometheus["args"]![0]);

        var password = resources["postgres-password"]!["inputs"]!["value"]!;
        Assert.True((bool?)password["secret"]);
        Assert.Equal(22, (int?)password["default"]!["generate"]!["minLength"]);
    }

    [Fact]
    public async Task OutputPath_NotEndingInJson_IsAFolderReceivingAspireManifestJson()
    {
        var folder = Path.Combine(Path.GetTempPath(), "brokkr-manifest-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await AppHostCommand.RunAsync("--publisher", "manifest", "--output-path", folder);

            Assert.True(File.Exists(Path.Combine(folder, "aspire-manifest.json")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ManifestPublisher_WithoutOutputPath_FailsWithAClearMessageAndExitCode1()
    {
        var (exitCode, output) = await AppHostCommand.RunAsync("--publisher", "manifest");

        Assert.Contains("The '--output-path [path]' option was not specified", output);
        // Aspire itself would exit 0 here (FailureExitCode): a pipeline must see the failure.
        Assert.Equal(1, exitCode);
    }

    [Fact]
    public async Task ManifestPublisher_WithAnUnwritableOutputPath_ExitsWith1()
    {
        var (exitCode, _) = await AppHostCommand.RunAsync("--publisher", "manifest", "--output-path", "/proc/brokkr-not-writable/aspire-manifest.json");

        Assert.Equal(1, exitCode);
    }

    /// <summary>
    /// The schema in the draft-04 terms NJsonSchema 10 (the newest version the package source serves complete) validates:
    /// a boolean property schema becomes its equivalent (<c>false</c> = <c>{"not": {}}</c>, <c>true</c> = <c>{}</c>), and
    /// <c>"const": v</c>, which it ignores, becomes the equivalent <c>"enum": [v]</c> — without that every resource would
    /// match several <c>oneOf</c> branches.
    /// </summary>
    private static async Task<JsonSchema> AspireSchemaAsync()
    {
        var schema = JsonNode.Parse(await File.ReadAllTextAsync(SchemaFile))!;
        RewriteDraft07Constructs(schema);
        return await JsonSchema.FromJsonAsync(schema.ToJsonString(), SchemaFile);
    }

    private static void RewriteDraft07Constructs(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["const"] is { } constant)
                {
                    obj.Remove("const");
                    obj["enum"] = new JsonArray(constant.DeepClone());
                }

                if (obj["properties"] is JsonObject properties)
                {
                    foreach (var name in properties.Where(p => p.Value is JsonValue).Select(p => p.Key).ToList())
                    {
                        properties[name] = (bool)properties[name]! ? new JsonObject() : new JsonObject { ["not"] = new JsonObject() };
                    }
                }

                foreach (var child in obj.Select(p => p.Value).ToList())
                {
                    RewriteDraft07Constructs(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array.ToList())
                {
                    RewriteDraft07Constructs(child);
                }

                break;
        }
    }

    /// <summary>An error with the errors of each oneOf branch under it, so a failure says which member is wrong.</summary>
    private static IEnumerable<string> Describe(NJsonSchema.Validation.ValidationError error, string indent)
    {
        yield return $"{indent}{error.Kind} at {error.Path}";
        if (error is NJsonSchema.Validation.ChildSchemaValidationError child)
        {
            foreach (var nested in child.Errors.SelectMany(branch => branch.Value).SelectMany(e => Describe(e, indent + "  ")))
            {
                yield return nested;
            }
        }
    }
}
