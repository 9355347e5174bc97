namespace Brokkr.Cli;

/// <summary>
/// What a <c>brokkr</c> run reads and writes besides the network: its streams, its environment and the home folder
/// holding <c>.brokkr/config</c>. The program passes the process's own; tests pass their own, to run in-process.
/// </summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, TextReader In, Func<string, string?> Environment, string HomeDirectory)
{
    public static CliConsole FromProcess() => new(Console.Out, Console.Error, Console.In, System.Environment.GetEnvironmentVariable,
        System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile));
}
