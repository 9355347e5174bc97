using Microsoft.Extensions.Configuration;

namespace Brokkr.AppHost.Hosting;

/// <summary>
/// The AppHost's environment, as Aspire's <c>builder.Environment</c>: its name comes from <c>--environment</c>, else
/// <c>DOTNET_ENVIRONMENT</c>, else <c>ASPNETCORE_ENVIRONMENT</c> (Aspire's AppHost launch profiles set both to
/// Development), else Production. It is the AppHost's own: the projects it runs are configured by their environment.
/// </summary>
public sealed class DistributedApplicationEnvironment(string environmentName)
{
    public const string Development = "Development";
    public const string Production = "Production";

    public string EnvironmentName { get; } = environmentName;

    public bool IsDevelopment() => string.Equals(EnvironmentName, Development, StringComparison.OrdinalIgnoreCase);

    internal static DistributedApplicationEnvironment FromConfiguration(IConfiguration configuration) =>
        new(new[] { "environment", "DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT" }
            .Select(key => configuration[key])
            .FirstOrDefault(value => !string.IsNullOrWhiteSpace(value)) ?? Production);
}
