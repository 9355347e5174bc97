using System.Globalization;

namespace Brokkr.AppHost.Hosting;

public static class ProjectResourceBuilderExtensions
{
    /// <summary>
    /// A .NET project without a launch profile (Aspire's <c>launchProfileName: null</c>): only explicit endpoints, and the
    /// environment every Aspire project gets — OpenTelemetry settings, and its listening ports.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddProject(this IDistributedApplicationBuilder builder, string name, string projectPath)
    {
        var path = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, projectPath));
        return builder.AddResource(new ProjectResource(name, path))
            .WithEnvironment(context => AddProjectDefaults(context, builder.Configuration));
    }

    private static void AddProjectDefaults(EnvironmentCallbackContext context, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var env = context.EnvironmentVariables;
        env["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true";
        env["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES"] = "true";
        env["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory";

        var httpEndpoints = context.Resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.UriScheme is "http" or "https").ToList();
        if (context.ExecutionContext.IsPublishMode)
        {
            if (httpEndpoints.Count > 0)
            {
                env["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true";
            }

            var http = httpEndpoints.Where(e => e.UriScheme == "http").ToList();
            if (http.Count > 0)
            {
                env["HTTP_PORTS"] = string.Join(';', http.Select(e =>
                    new EndpointReference((IResourceWithEndpoints)context.Resource, e.Name).Property(EndpointProperty.TargetPort).ValueExpression));
            }

            return;
        }

        AddConsoleLogDefaults(env, configuration);
        env["OTEL_SERVICE_NAME"] = context.Resource.Name;
        // Only when an OTLP receiver is configured: services export nothing otherwise (no dashboard runs here).
        var otlp = configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (!string.IsNullOrWhiteSpace(otlp))
        {
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp;
        }

        if (httpEndpoints.Count > 0)
        {
            env["ASPNETCORE_URLS"] = string.Join(';', httpEndpoints.Select(e =>
                $"{e.UriScheme}://localhost:{e.AllocatedPort?.ToString(CultureInfo.InvariantCulture)}"));
        }
    }

    /// <summary>
    /// Run mode: logs the user reads prefixed in one stream — one line per entry, and no lines for every health probe,
    /// scrape and SQL command. Each stays settable: a value in the AppHost's own configuration (environment) is kept.
    /// </summary>
    private static void AddConsoleLogDefaults(Dictionary<string, object> env, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        (string Key, string Value)[] defaults =
        [
            ("Logging:Console:FormatterName", "simple"),
            ("Logging:Console:FormatterOptions:SingleLine", "true"),
            ("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
            ("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "Warning"),
        ];
        foreach (var (key, value) in defaults.Where(d => string.IsNullOrEmpty(configuration[d.Key])))
        {
            env[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
    }
}
