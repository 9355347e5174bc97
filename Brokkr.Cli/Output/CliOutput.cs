using System.Text.Json;
using Brokkr.Cli.Connection;

namespace Brokkr.Cli.Output;

public enum OutputFormat
{
    Text,
    Json,
}

/// <summary>
/// Where a command's words go: its result to stdout (plain lines, or one JSON document with <c>--output json</c>),
/// progress and errors to stderr, so a script reading stdout gets only the result. Nothing here prints a PAK.
/// </summary>
public sealed class CliOutput(CliConsole console, OutputFormat format, bool quiet)
{
    private static readonly JsonSerializerOptions Indented = new(BrokerClient.Json) { WriteIndented = true };

    public bool IsJson => format == OutputFormat.Json;

    /// <summary>A step of a longer operation, for the person watching (stderr; off with --quiet).</summary>
    public void Progress(string message)
    {
        if (!quiet)
        {
            console.Error.WriteLine($"… {message}");
        }
    }

    /// <summary>The result: <paramref name="text"/> as lines, or <paramref name="json"/> as one JSON document.</summary>
    public void Result(object json, params string[] text)
    {
        if (IsJson)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(json, Indented));
            return;
        }
        foreach (var line in text)
        {
            console.Out.WriteLine(line);
        }
    }

    /// <summary>A failure: <c>error: …</c> on stderr, and with --output json also <c>{"error": …}</c> on stdout.</summary>
    public void Failure(CliFailure failure)
    {
        console.Error.WriteLine($"error: {failure.Message}{(failure.Code is { } code ? $" ({code})" : "")}");
        if (IsJson)
        {
            var status = failure is BrokerRefusal refusal ? (int?)refusal.Status : null;
            console.Out.WriteLine(JsonSerializer.Serialize(new
            {
                error = new { code = failure.Code, message = failure.Message, status, exit_code = failure.ExitCode },
            }, Indented));
        }
    }
}
