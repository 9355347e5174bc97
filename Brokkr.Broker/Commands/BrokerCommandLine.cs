using System.CommandLine;
using Brokkr.CommandLine;

namespace Brokkr.Broker.Commands;

/// <summary>
/// The broker's command line: <c>serve</c> (also what runs when the first argument is no subcommand, so
/// <c>Brokkr.Broker --urls …</c>, the AppHost and the scripts start the server as before) and the administrative
/// subcommands, which work on the database directly with the broker's configuration.
/// </summary>
public static class BrokerCommandLine
{
    public const string ProgramName = "Brokkr.Broker";

    private static readonly HashSet<string> CommandWords = ["serve", "create", "rotate", "generate-pak", "-h", "--help", "-?", "--version"];

    /// <param name="settings">Settings that win over every configuration source (tests use these).</param>
    /// <param name="handleTermination">Let Ctrl+C cancel an administrative command (the server handles its own signals).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error,
        IReadOnlyDictionary<string, string?>? settings = null, bool handleTermination = true)
    {
        if (!IsCommandLine(args))
        {
            await ServeAsync(args, settings);
            return BrokerExitCodes.Success;
        }
        return await CommandLineRunner.RunAsync(ProgramName, Root(settings), args, output, error, handleTermination);
    }

    /// <summary>Whether <paramref name="args"/> name a subcommand (or ask for help); anything else is the server's arguments.</summary>
    public static bool IsCommandLine(IReadOnlyList<string> args) => args.Count > 0 && CommandWords.Contains(args[0]);

    private static RootCommand Root(IReadOnlyDictionary<string, string?>? settings)
    {
        var root = new RootCommand("Brokkr broker: serves the REST API v1 and the operator console; administers agents, generators and keys");
        var serve = new Command("serve", "Run the broker (the default when no subcommand is given); other arguments go to the host, e.g. --urls")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        serve.SetAction(async parsed =>
        {
            await ServeAsync(parsed.UnmatchedTokens.ToArray(), settings);
            return BrokerExitCodes.Success;
        });
        root.Subcommands.Add(serve);
        root.Subcommands.Add(CreateCommands.Build(settings));
        root.Subcommands.Add(RotateCommands.Build(settings));
        root.Subcommands.Add(GeneratePakCommand.Build(settings));
        return root;
    }

    private static Task ServeAsync(string[] args, IReadOnlyDictionary<string, string?>? settings) =>
        BrokerApp.Build(BrokerApp.CreateBuilder(args, settings)).RunAsync();
}
