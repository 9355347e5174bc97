using System.CommandLine;

namespace Brokkr.Cli.Connection;

/// <summary>The options every command takes, before or after its name.</summary>
public sealed class GlobalOptions
{
    public Option<string?> BrokerUrl { get; } = new("--broker-url")
    {
        Description = $"The broker's URL, with or without /api/v1 (else ${ConnectionSettings.UrlVariable}, else broker_url in the config file)",
        Recursive = true,
    };

    public Option<string?> Pak { get; } = new("--pak")
    {
        Description = $"The PAK to authenticate with (else ${ConnectionSettings.PakVariable}, else pak in the config file); " +
            "prefer the variable, a flag shows in the process list",
        Recursive = true,
    };

    public Option<string?> Config { get; } = new("--config")
    {
        Description = "The TOML config file (default ~/.brokkr/config)",
        Recursive = true,
    };

    public Option<string> Output { get; } = new Option<string>("--output", "-o")
    {
        Description = "text (default) or json, for scripts",
        DefaultValueFactory = _ => "text",
        HelpName = "text|json",
        Recursive = true,
    }.AcceptOnlyFromAmong("text", "json");

    public Option<bool> Quiet { get; } = new("--quiet", "-q")
    {
        Description = "No progress messages on stderr",
        Recursive = true,
    };

    public IEnumerable<Option> All => [BrokerUrl, Pak, Config, Output, Quiet];
}
