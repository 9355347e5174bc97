using System.CommandLine;
using Brokkr.Cli.Connection;
using Brokkr.Cli.Output;

namespace Brokkr.Cli;

/// <summary>Runs a command with its connection and output, and turns an expected failure into its exit code.</summary>
public static class CliAction
{
    public delegate Task<int> Body(ParseResult parsed, CliOutput output, Func<BrokerClient> connect, CancellationToken cancellationToken);

    public static void Set(Command command, GlobalOptions options, CliConsole console, Body body) =>
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var output = new CliOutput(console, parsed.GetValue(options.Output) == "json" ? OutputFormat.Json : OutputFormat.Text, parsed.GetValue(options.Quiet));
            BrokerClient? client = null;
            try
            {
                return await body(parsed, output, () => client ??= new BrokerClient(ConnectionSettings.Resolve(
                    parsed.GetValue(options.BrokerUrl), parsed.GetValue(options.Pak), parsed.GetValue(options.Config), console)),
                    cancellationToken);
            }
            catch (CliFailure failure)
            {
                output.Failure(failure);
                return failure.ExitCode;
            }
            finally
            {
                client?.Dispose();
            }
        });
}
