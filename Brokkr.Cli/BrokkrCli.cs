using System.CommandLine;
using Brokkr.Cli.Commands;
using Brokkr.Cli.Connection;
using Brokkr.CommandLine;

namespace Brokkr.Cli;

/// <summary><c>brokkr</c>: the control-plane client speaking the REST API v1.</summary>
public static class BrokkrCli
{
    public const string ProgramName = "brokkr";

    /// <param name="handleTermination">Let Ctrl+C cancel the running request (the program; tests run in-process without).</param>
    public static Task<int> RunAsync(string[] args, CliConsole console, bool handleTermination = false)
    {
        var options = new GlobalOptions();
        var root = new RootCommand("brokkr: apply manifests to Brokkr stacks and manage agent registrations over the REST API v1");
        foreach (var option in options.All)
        {
            root.Options.Add(option);
        }
        root.Subcommands.Add(ApplyCommand.Build(options, console));
        foreach (var command in RegistrationCommands.Build(options, console))
        {
            root.Subcommands.Add(command);
        }
        return CommandLineRunner.RunAsync(ProgramName, root, args, console.Out, console.Error, handleTermination);
    }
}
