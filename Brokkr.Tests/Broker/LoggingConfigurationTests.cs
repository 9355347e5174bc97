using Brokkr.Broker;
using Brokkr.ServiceDefaults.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Brokkr.Tests.Broker;

/// <summary>Spec §8.2 <c>log.level</c> and <c>log.format</c> as the broker applies them (built, not started).</summary>
public sealed class LoggingConfigurationTests
{
    [Theory]
    [InlineData("trace", LogLevel.Trace)]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("WARN", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    public async Task Log_level_sets_the_minimum_level(string setting, LogLevel expected)
    {
        // Logging:LogLevel:Default is set too: the Brokkr key wins over it.
        await using var broker = Build(new() { ["Brokkr:Log:level"] = setting, ["Logging:LogLevel:Default"] = "Critical" });
        Assert.Equal(expected, MinimumLevel(broker.Services));
    }

    [Fact]
    public async Task Unset_the_level_stays_at_NET_default_Information_and_the_formatter_simple()
    {
        await using var broker = Build([]);
        Assert.Equal(LogLevel.Information, MinimumLevel(broker.Services));
        Assert.Equal(ConsoleFormatterNames.Simple, FormatterName(broker.Services));
    }

    [Theory]
    [InlineData(null, LogLevel.Warning)]
    [InlineData("info", LogLevel.Warning)]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("error", LogLevel.Error)]
    public async Task Framework_categories_default_to_warning_unless_the_level_is_stricter_or_for_debugging(string? setting, LogLevel expected)
    {
        await using var broker = Build(new() { ["Brokkr:Log:level"] = setting });
        Assert.All(BrokkrLogging.QuietCategories, category => Assert.Equal(expected, MinimumLevel(broker.Services, category + ".Routing")));
        Assert.Equal(setting is null or "info" ? LogLevel.Information : expected, MinimumLevel(broker.Services, "Brokkr.Broker.Startup"));
    }

    [Fact]
    public async Task A_framework_category_setting_still_wins_over_the_default()
    {
        await using var broker = Build(new() { ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Information" });
        Assert.Equal(LogLevel.Information, MinimumLevel(broker.Services, "Microsoft.EntityFrameworkCore.Database.Command"));
    }

    [Theory]
    [InlineData("json", ConsoleFormatterNames.Json)]
    [InlineData("text", ConsoleFormatterNames.Simple)]
    public async Task Log_format_picks_the_console_formatter(string setting, string expected)
    {
        // The AppHost sets Logging:Console:FormatterName for its projects; the Brokkr key wins.
        var other = expected == ConsoleFormatterNames.Json ? ConsoleFormatterNames.Simple : ConsoleFormatterNames.Json;
        await using var broker = Build(new() { ["Brokkr:Log:format"] = setting, ["Logging:Console:FormatterName"] = other });
        Assert.Equal(expected, FormatterName(broker.Services));
    }

    [Theory]
    [InlineData("Brokkr:Log:level", "verbose")]
    [InlineData("Brokkr:Log:format", "xml")]
    public void An_unknown_value_stops_the_broker_naming_the_key(string key, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => BrokerApp.CreateBuilder([], new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(key, error.Message);
    }

    private static Microsoft.AspNetCore.Builder.WebApplication Build(Dictionary<string, string?> settings) =>
        BrokerApp.Build(BrokerApp.CreateBuilder([], settings));

    private static LogLevel MinimumLevel(IServiceProvider services, string category = "Brokkr.Tests.Logging")
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(category);
        return Enum.GetValues<LogLevel>().First(logger.IsEnabled);
    }

    private static string? FormatterName(IServiceProvider services) =>
        services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName ?? ConsoleFormatterNames.Simple;
}
