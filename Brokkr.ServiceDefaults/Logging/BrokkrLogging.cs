using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;

namespace Brokkr.ServiceDefaults.Logging;

/// <summary>
/// Upstream's logging keys (spec §8.2), shared by broker and agent: <c>log.level</c> (env <c>BROKKR__LOG__LEVEL</c>)
/// = <c>trace</c> | <c>debug</c> | <c>info</c> | <c>warn</c> | <c>error</c> sets the default minimum level, and
/// <c>log.format</c> (<c>BROKKR__LOG__FORMAT</c>) = <c>text</c> | <c>json</c> picks the console formatter.
/// <para>
/// Unset, the level is .NET's default, Information, with the simple console formatter and any <c>Logging:*</c>
/// settings. Upstream defaults to debug; that is not taken over, as it would log every SQL statement's details.
/// When set, <c>log.level</c> wins over <c>Logging:LogLevel:Default</c>; category entries
/// (<c>Logging:LogLevel:Microsoft.EntityFrameworkCore</c>, …) still refine it.
/// </para>
/// <para>
/// The framework's chatty categories (<see cref="QuietCategories"/>: a line per request, per SQL command, per
/// outgoing HTTP call and its resilience attempt — about 10% of the broker's CPU at fleet load) default to Warning, or to <c>log.level</c> when
/// that is stricter or is <c>debug</c>/<c>trace</c> (debugging wants them). They are defaults under every
/// configuration source, so <c>Logging__LogLevel__Microsoft.AspNetCore=Information</c> still turns one back on.
/// They follow the level the service started with; a reload changes the level of every other category.
/// </para>
/// </summary>
public static class BrokkrLogging
{
    public const string Section = "Brokkr:Log";

    private static readonly Dictionary<string, LogLevel> Levels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["trace"] = LogLevel.Trace,
        ["debug"] = LogLevel.Debug,
        ["info"] = LogLevel.Information,
        ["warn"] = LogLevel.Warning,
        ["error"] = LogLevel.Error,
    };

    // "Polly": the HTTP resilience pipeline logs an "Execution attempt" line for every call the agent makes.
    public static readonly IReadOnlyList<string> QuietCategories = ["Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "System.Net.Http", "Polly"];

    public static TBuilder AddBrokkrLogging<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var section = builder.Configuration.GetSection(Section);
        var minimum = ParseLevel(section["level"]);
        // The rule is recomputed whenever the configuration reloads (POST /admin/config/reload), so a running service
        // takes a new level without a restart. Registered after the configuration's rules, so it wins over
        // Logging:LogLevel:Default. A level that became invalid is ignored: the last valid one stays.
        var current = minimum;
        builder.Services.AddSingleton<IOptionsChangeTokenSource<LoggerFilterOptions>>(
            new ConfigurationChangeTokenSource<LoggerFilterOptions>(builder.Configuration));
        builder.Services.Configure<LoggerFilterOptions>(options =>
        {
            if (TryParseLevel(section["level"], out var level))
            {
                current = level;
            }
            if (current is { } rule)
            {
                options.Rules.Add(new LoggerFilterRule(providerName: null, categoryName: null, rule, filter: null));
            }
        });
        var quiet = minimum is { } m && (m < LogLevel.Information || m > LogLevel.Warning) ? m : LogLevel.Warning;
        // First in the list, so every other source (appsettings, environment, command line, tests') wins over it.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = QuietCategories.Select(c => KeyValuePair.Create($"Logging:LogLevel:{c}", (string?)quiet.ToString())),
        });

        switch (section["format"]?.Trim().ToLowerInvariant())
        {
            case null or "":
                break;
            case "text":
                builder.Logging.AddSimpleConsole();
                break;
            case "json":
                builder.Logging.AddJsonConsole();
                break;
            default:
                throw new InvalidOperationException("Brokkr:Log:format (BROKKR__LOG__FORMAT) must be text or json");
        }
        return builder;
    }

    /// <summary>The level a <c>log.level</c> value names (null when unset).</summary>
    /// <exception cref="InvalidOperationException">An unknown level, naming the key.</exception>
    public static LogLevel? ParseLevel(string? value) =>
        TryParseLevel(value, out var level) ? level
            : throw new InvalidOperationException("Brokkr:Log:level (BROKKR__LOG__LEVEL) must be one of trace, debug, info, warn, error");

    private static bool TryParseLevel(string? value, out LogLevel? level)
    {
        level = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }
        if (Levels.TryGetValue(value.Trim(), out var parsed))
        {
            level = parsed;
            return true;
        }
        return false;
    }
}
