namespace Brokkr.Cli;

/// <summary>
/// <c>brokkr</c>'s exit codes (docs/cli.md). Every failure is non-zero, as upstream's 1; the distinct values let a
/// pipeline retry an unavailable broker and fail fast on everything else.
/// </summary>
public static class CliExitCodes
{
    /// <summary>Done, including an apply that found the stack already current.</summary>
    public const int Success = 0;

    /// <summary>The broker refused the request (a duplicate, an unknown id, invalid content).</summary>
    public const int Refused = 1;

    /// <summary>Bad command line or input: unknown option, no connection settings, malformed config, unreadable manifests.</summary>
    public const int Usage = Brokkr.CommandLine.CommandLineRunner.UsageError;

    /// <summary>The broker could not be reached or answered 5xx: worth retrying later.</summary>
    public const int Unavailable = 3;

    /// <summary>The PAK was rejected (401) or may not do this (403, or apply with a PAK that is no generator's).</summary>
    public const int NotAuthorized = 4;
}

/// <summary>An expected failure: reported as <c>error: message</c> and turned into <see cref="ExitCode"/>.</summary>
public class CliFailure(int exitCode, string message, string? code = null) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>The broker's error code, when the broker refused.</summary>
    public string? Code { get; } = code;
}
