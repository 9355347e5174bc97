using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Brokkr.ServiceDefaults.Logging;

/// <summary>
/// Upstream's logging keys (spec §8.2), shared by broker and agent: <c>log.level</c> (env <c>BROKKR__LOG__LEVEL</c>)
/// = <c>trace</c> | <c>debug</c> | <c>info</c> | <c>warn</c> | <c>error</c> sets the default minimum level, and
/// <c>log.format</c> (<c>BROKKR__LOG__FORMAT</c>) = <c>text</c> | <c>json</c> picks the console formatter.
/// <para>
/// Unset, they leave .NET's defaults alone (Information, the simple console formatter, any <c>Logging:*</c>
/// settings). Upstream defaults to debug; that is not taken over, as it would log every SQL statement's details.
/// When set, <c>log.level</c> wins over <c>Logging:LogLevel:Default</c>; category entries
/// (<c>Logging:LogLevel:Microsoft.EntityFrameworkCore</c>, …) still refine it.
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

    public static TBuilder AddBrokkrLogging<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var section = builder.Configuration.GetSection(Section);
        if (section["level"] is { Length: > 0 } level)
        {
            if (!Levels.TryGetValue(level.Trim(), out var minimum))
            {
                throw new InvalidOperationException("Brokkr:Log:level (BROKKR__LOG__LEVEL) must be one of trace, debug, info, warn, error");
            }
            // A rule for every category, added after the configuration's, so it wins over Logging:LogLevel:Default.
            builder.Logging.AddFilter(category: null, minimum);
        }

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
}
