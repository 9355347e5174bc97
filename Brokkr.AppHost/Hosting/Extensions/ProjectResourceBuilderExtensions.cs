using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace Brokkr.AppHost.Hosting;

public static class ProjectResourceBuilderExtensions
{
    /// <summary>
    /// A .NET project without a launch profile (Aspire's <c>launchProfileName: null</c>): only explicit endpoints, and the
    /// environment every Aspire project gets (aspire-conventions §3) — OpenTelemetry settings, console logging, its ports.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddProject(this IDistributedApplicationBuilder builder, string name, string projectPath)
    {
        var path = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, projectPath));
        // One replica, whose id (Aspire's is the resource name with a random suffix) holds for the AppHost's lifetime.
        var instanceId = $"{name}-{RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 8)}";
        return builder.AddResource(new ProjectResource(name, path))
            .WithEnvironment(context => AddProjectDefaults(context, builder.Configuration, builder.Environment, instanceId));
    }

    private static void AddProjectDefaults(EnvironmentCallbackContext context, IConfiguration configuration,
        DistributedApplicationEnvironment environment, string instanceId)
    {
        var env = context.EnvironmentVariables;
        OtlpEnvironment.AddExporterDefaults(env);

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

        OtlpEnvironment.AddRunModeSettings(env, context.Resource.Name, instanceId, configuration, environment);
        AddConsoleLogDefaults(env, configuration);
        if (httpEndpoints.Count > 0)
        {
            env["ASPNETCORE_URLS"] = string.Join(';', httpEndpoints.Select(e => $"{e.UriScheme}://localhost:{Port(context.Resource, e)}"));
        }

        if (httpEndpoints.FirstOrDefault(e => e.UriScheme == "https") is { } https)
        {
            env["ASPNETCORE_HTTPS_PORT"] = Port(context.Resource, https);
        }
    }

    /// <summary>The process listens on the allocated port itself (no proxy here); throws while none is allocated.</summary>
    private static string Port(IResource resource, EndpointAnnotation endpoint) =>
        new EndpointReference((IResourceWithEndpoints)resource, endpoint.Name).Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Run mode: Aspire's console settings — the simple formatter, colours kept although the output is redirected (the
    /// resource console strips them where it does not draw a terminal) — and, so the user reads one line per entry and
    /// none for every health probe, scrape, SQL command and outgoing HTTP call, single lines and quieter categories.
    /// Each formatter and level setting stays settable: a value in the AppHost's own configuration (environment) is kept.
    /// </summary>
    private static void AddConsoleLogDefaults(Dictionary<string, object> env, IConfiguration configuration)
    {
        env["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "true";
        (string Key, string Variable, string Value)[] defaults =
        [
            ("Logging:Console:FormatterName", "LOGGING__CONSOLE__FORMATTERNAME", "simple"),
            ("Logging:Console:FormatterOptions:SingleLine", "Logging__Console__FormatterOptions__SingleLine", "true"),
            ("Logging:LogLevel:Microsoft.AspNetCore", "Logging__LogLevel__Microsoft.AspNetCore", "Warning"),
            ("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command", "Warning"),
            ("Logging:LogLevel:System.Net.Http.HttpClient", "Logging__LogLevel__System.Net.Http.HttpClient", "Warning"),
        ];
        foreach (var (key, variable, value) in defaults.Where(d => string.IsNullOrEmpty(configuration[d.Key])))
        {
            env[variable] = value;
        }
    }
}
