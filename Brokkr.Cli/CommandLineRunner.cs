using System.CommandLine;
using System.CommandLine.Invocation;

namespace Brokkr.CommandLine;

/// <summary>
/// Parses and runs a command tree the same way for both of Brokkr's command lines (<c>brokkr</c> and the broker's
/// subcommands; the broker links this file). A usage error exits <see cref="UsageError"/>, never 1, so a script can
/// tell a typo in its own command line from an operation that failed.
/// </summary>
internal static class CommandLineRunner
{
    public const int UsageError = 2;

    /// <param name="handleTermination">
    /// Let Ctrl+C cancel the action's token. Off where the action runs a host with its own shutdown handling, and in
    /// tests, which run commands inside the test process.
    /// </param>
    /// <param name="program">The command's name as users type it, for the usage hint.</param>
    public static async Task<int> RunAsync(string program, RootCommand root, IReadOnlyList<string> args, TextWriter output,
        TextWriter error, bool handleTermination, CancellationToken cancellationToken = default)
    {
        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync($"error: {problem.Message}");
            }
            var command = string.Join(' ', CommandPath(parsed.CommandResult.Command, root).Prepend(program));
            await error.WriteLineAsync($"Run '{command} --help' for usage.");
            return UsageError;
        }
        var invocation = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // Every action reports its own failures; an exception that escapes is a bug and should show as one.
            EnableDefaultExceptionHandler = false,
        };
        if (!handleTermination)
        {
            invocation.ProcessTerminationTimeout = null;
        }
        return await parsed.InvokeAsync(invocation, cancellationToken);
    }

    private static IEnumerable<string> CommandPath(Command command, RootCommand root)
    {
        var path = new Stack<string>();
        for (Symbol? current = command; current is Command c && c != root; current = c.Parents.FirstOrDefault())
        {
            path.Push(c.Name);
        }
        return path;
    }
}
