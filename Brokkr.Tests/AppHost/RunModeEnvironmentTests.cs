using System.Text.RegularExpressions;
using Brokkr.AppHost.Hosting;
using Brokkr.Tests.AppHost.Testing;

namespace Brokkr.Tests.AppHost;

/// <summary>
/// The exact environment each project of the AppHost's model gets in run mode (aspire-conventions §3), evaluated from the
/// model with the ports and the database password set as the orchestrator sets them — no process is started.
/// </summary>
public sealed partial class RunModeEnvironmentTests
{
    private const string Password = "pw";

    [Fact]
    public async Task Each_project_gets_aspires_run_mode_environment()
    {
        var builder = await ModelAsync();

        Assert.Equal(Expected("broker", 3000, new()
        {
            ["ConnectionStrings__brokkr"] = $"Host=localhost;Port=5432;Username=postgres;Password={Password};Database=brokkr",
        }), await EnvironmentAsync(builder, "broker"));

        // The agent's PAK and kubeconfig join just before it starts, once provisioned and written.
        Assert.Equal(Expected("agent", 8080, new()
        {
            ["services__broker__http__0"] = "http://localhost:3000",
            ["BROKKR__AGENT__BROKER_URL"] = "http://localhost:3000",
            ["BROKKR__AGENT__AGENT_NAME"] = "local-agent",
            ["BROKKR__AGENT__CLUSTER_NAME"] = "local",
        }), await EnvironmentAsync(builder, "agent"));

        Assert.Equal(Expected("kubernetes", 6443, []), await EnvironmentAsync(builder, "kubernetes"));
    }

    [Fact]
    public async Task In_development_with_the_dashboards_otlp_settings_the_projects_export_there_quickly()
    {
        var builder = await ModelAsync("--environment=Development", "--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=https://localhost:21001",
            "--AppHost:OtlpApiKey=the-key");
        Assert.True(builder.Environment.IsDevelopment());

        Assert.Equal(Expected("kubernetes", 6443, new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "https://localhost:21001",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-otlp-api-key=the-key",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "1000",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "1000",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
            ["OTEL_TRACES_SAMPLER"] = "always_on",
            ["OTEL_METRICS_EXEMPLAR_FILTER"] = "trace_based",
            ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "true",
        }), await EnvironmentAsync(builder, "kubernetes"));
    }

    [Theory]
    // gRPC wins when both are configured; each name before its legacy DOTNET_ one; HTTP alone is http/protobuf.
    [InlineData("http://localhost:4317", "grpc", "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:4317",
        "ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:4318")]
    [InlineData("http://localhost:4318", "http/protobuf", "ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:4318")]
    [InlineData("http://localhost:1", "grpc", "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:1",
        "DOTNET_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:2")]
    [InlineData("http://localhost:2", "grpc", "DOTNET_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:2",
        "DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:3")]
    [InlineData("http://localhost:3", "http/protobuf", "DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:3")]
    public async Task The_otlp_endpoint_and_protocol_come_from_the_dashboard_settings_aspire_reads(string endpoint, string protocol,
        params string[] settings)
    {
        var environment = await EnvironmentAsync(await ModelAsync([.. settings.Select(s => "--" + s)]), "broker");

        Assert.Equal((endpoint, protocol), (environment["OTEL_EXPORTER_OTLP_ENDPOINT"], environment["OTEL_EXPORTER_OTLP_PROTOCOL"]));
    }

    [Fact]
    public async Task Without_dashboard_settings_nothing_is_exported_and_production_gets_no_development_values()
    {
        var environment = await EnvironmentAsync(await ModelAsync(), "broker");

        Assert.DoesNotContain(environment.Keys, k => k.StartsWith("OTEL_EXPORTER_OTLP_", StringComparison.Ordinal));
        Assert.DoesNotContain("OTEL_TRACES_SAMPLER", environment.Keys);
    }

    [Fact]
    public async Task Before_its_ports_are_allocated_a_projects_run_mode_environment_cannot_be_evaluated()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Brokkr_AppHost>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EnvironmentAsync(builder, "kubernetes"));
        Assert.Contains("no port allocated", error.Message);
    }

    /// <summary>What every project gets, with its name, a random service instance id and its port, plus its own wiring.</summary>
    private static Dictionary<string, string> Expected(string name, int port, Dictionary<string, string> own)
    {
        var expected = new Dictionary<string, string>
        {
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES"] = "true",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory",
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={name}-<id>",
            ["OTEL_SERVICE_NAME"] = name,
            ["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "true",
            ["LOGGING__CONSOLE__FORMATTERNAME"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
            ["Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command"] = "Warning",
            ["Logging__LogLevel__System.Net.Http.HttpClient"] = "Warning",
            ["ASPNETCORE_URLS"] = $"http://localhost:{port}",
        };
        foreach (var (key, value) in own)
        {
            expected[key] = value;
        }

        return expected;
    }

    /// <summary>The AppHost's model with each endpoint on its preferred port and the generated password known, as at start.</summary>
    private static async Task<DistributedApplicationTestingBuilder> ModelAsync(params string[] args)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Brokkr_AppHost>(args);
        foreach (var endpoint in builder.Resources.SelectMany(r => r.Annotations.OfType<EndpointAnnotation>()))
        {
            endpoint.AllocatedPort = endpoint.Port ?? endpoint.TargetPort;
        }

        builder.Resources.OfType<PostgresServerResource>().Single().PasswordParameter.Value = Password;
        return builder;
    }

    /// <summary>The resolved environment, sorted; the random part of the service instance id reads "&lt;id&gt;".</summary>
    private static async Task<Dictionary<string, string>> EnvironmentAsync(DistributedApplicationTestingBuilder builder, string name)
    {
        var resource = (IResourceWithEnvironment)builder.Resources.Single(r => r.Name == name);
        var environment = await resource.GetEnvironmentVariableValuesAsync(builder.ExecutionContext);
        var instance = Assert.Contains("OTEL_RESOURCE_ATTRIBUTES", environment);
        Assert.Matches(InstanceId(), instance);
        environment["OTEL_RESOURCE_ATTRIBUTES"] = InstanceId().Replace(instance, "$1<id>");
        return environment;
    }

    [GeneratedRegex("^(service\\.instance\\.id=[a-z]+-)[a-z0-9]{8}$")]
    private static partial Regex InstanceId();
}
