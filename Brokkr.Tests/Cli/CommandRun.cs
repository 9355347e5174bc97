using System.Text.RegularExpressions;
using Brokkr.Broker.Commands;
using Brokkr.Cli;
using Npgsql;

namespace Brokkr.Tests.Cli;

/// <summary>What one command run left behind: its exit code and what it wrote to stdout and stderr.</summary>
public sealed record CommandResult(int ExitCode, string Out, string Error)
{
    public string Output => Out + Error;

    /// <summary>The value of a <c>Label: value</c> line on stdout.</summary>
    public string Line(string label) =>
        Regex.Match(Out, $"^{Regex.Escape(label)}: (?<value>.+)$", RegexOptions.Multiline) is { Success: true } m
            ? m.Groups["value"].Value.Trim()
            : throw new Xunit.Sdk.XunitException($"no '{label}:' line in:\n{Output}");

    public CommandResult Expect(int exitCode)
    {
        Assert.True(ExitCode == exitCode, $"expected exit {exitCode}, got {ExitCode}:\n{Output}");
        return this;
    }
}

/// <summary>
/// Runs both command lines in this process through their entry points, with their own streams: <c>brokkr</c> with an
/// environment and home folder of the test's choosing, the broker's subcommands against a test database.
/// </summary>
public static class CommandRun
{
    public static async Task<CommandResult> BrokkrAsync(string[] args, IReadOnlyDictionary<string, string?>? environment = null,
        string? home = null, string stdin = "")
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var variables = environment ?? new Dictionary<string, string?>();
        var console = new CliConsole(output, error, new StringReader(stdin), name => variables.GetValueOrDefault(name),
            home ?? Path.Combine(Path.GetTempPath(), "brokkr-cli-no-home-" + Guid.NewGuid()));
        var exitCode = await BrokkrCli.RunAsync(args, console);
        return new CommandResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>A broker subcommand on the database behind <paramref name="connectionString"/>, plus extra settings.</summary>
    public static async Task<CommandResult> BrokerAsync(string connectionString, string[] args,
        IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:brokkr"] = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await BrokerCommandLine.RunAsync(args, output, error, settings, handleTermination: false);
        return new CommandResult(exitCode, output.ToString(), error.ToString());
    }
}
