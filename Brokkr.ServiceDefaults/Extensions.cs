using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The two calls every Brokkr service makes, named as in Aspire's ServiceDefaults template so the real
/// package can replace this project without touching the services.
/// </summary>
public static class ServiceDefaultsExtensions
{
    private const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        var liveness = new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) };
        app.MapHealthChecks("/healthz", liveness);
        app.MapHealthChecks("/alive", liveness);
        app.MapHealthChecks("/readyz");
        app.MapHealthChecks("/health");
        return app;
    }
}
