using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Brokkr.Broker.Configuration;

/// <summary>
/// CORS for <c>/api/v1</c> from section <c>Brokkr:Cors</c> (spec §8.2: <c>cors.allowed_origins</c>, <c>allowed_methods</c>,
/// <c>allowed_headers</c>, <c>max_age_seconds</c>; <c>*</c> = any origin). Lists come as TOML arrays or, from the
/// environment, as comma-separated strings. Preflights are answered before authentication, as browsers send them
/// without the Authorization header.
/// </summary>
public static class BrokerCors
{
    public const string Section = "Brokkr:Cors";
    private const string PolicyName = "brokkr-api";

    public static IServiceCollection AddBrokerCors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCors();
        // The policy is rebuilt from the configuration whenever it reloads (POST /admin/config/reload).
        services.AddSingleton<ICorsPolicyProvider>(_ => new ReloadingPolicyProvider(configuration));
        return services;
    }

    /// <summary>The policy the configuration describes now.</summary>
    public static CorsPolicy Policy(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var origins = List(section, "allowed_origins", "http://localhost:3001");
        var methods = List(section, "allowed_methods", "GET,POST,PUT,DELETE,OPTIONS");
        var headers = List(section, "allowed_headers", "Authorization,Content-Type");
        var maxAge = TimeSpan.FromSeconds(section.GetValue("max_age_seconds", 3600));
        var policy = new CorsPolicyBuilder();
        if (origins.Contains("*"))
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins(origins);
        }
        return policy.WithMethods(methods).WithHeaders(headers).SetPreflightMaxAge(maxAge).Build();
    }

    private sealed class ReloadingPolicyProvider : ICorsPolicyProvider
    {
        private volatile CorsPolicy _policy;

        public ReloadingPolicyProvider(IConfiguration configuration)
        {
            _policy = Policy(configuration);
            ChangeToken.OnChange(configuration.GetReloadToken, () =>
            {
                try
                {
                    _policy = Policy(configuration);
                }
                catch (Exception e) when (e is InvalidOperationException or FormatException)
                {
                    // ConfigReloader refuses such a reload before applying it; a value that still slips through
                    // keeps the last valid policy rather than failing every cross-origin request.
                }
            });
        }

        public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName) =>
            Task.FromResult<CorsPolicy?>(policyName == PolicyName ? _policy : null);
    }

    public static IApplicationBuilder UseBrokerCors(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api/v1"), api => api.UseCors(PolicyName));

    /// <summary>A list setting: a comma-separated string, or an array (children 0, 1, ...).</summary>
    public static string[] List(IConfigurationSection section, string key, string defaults)
    {
        var setting = section.GetSection(key);
        var values = setting.Value is { } joined
            ? joined.Split(',')
            : setting.GetChildren().Select(c => c.Value ?? "").DefaultIfEmpty(defaults).SelectMany(v => v.Split(','));
        return values.Select(v => v.Trim()).Where(v => v.Length > 0).ToArray();
    }
}
