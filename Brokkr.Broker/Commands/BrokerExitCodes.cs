namespace Brokkr.Broker.Commands;

/// <summary>Exit codes of the broker's administrative subcommands (docs/cli.md lists them).</summary>
public static class BrokerExitCodes
{
    public const int Success = 0;

    /// <summary>The request was refused: an unknown id, a duplicate name, an invalid value. Nothing was written.</summary>
    public const int Refused = 1;

    /// <summary>The command line itself is wrong (unknown option, missing value, malformed UUID).</summary>
    public const int Usage = Brokkr.CommandLine.CommandLineRunner.UsageError;

    /// <summary>The database cannot be used: unreachable, refusing the login, or misconfigured.</summary>
    public const int DatabaseUnavailable = 3;

    /// <summary>The broker's configuration is invalid (a malformed <c>broker.pak_hash</c> or database URL).</summary>
    public const int InvalidConfiguration = 4;
}

/// <summary>A subcommand's expected failure: printed as <c>error: message</c> and turned into the exit code.</summary>
public sealed class CommandFailure(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
