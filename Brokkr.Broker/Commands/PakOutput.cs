namespace Brokkr.Broker.Commands;

/// <summary>The one place a subcommand writes a PAK: to stdout, once, with the reminder that it cannot be shown again.</summary>
public static class PakOutput
{
    public static async Task WriteAsync(TextWriter output, string label, string pak)
    {
        await output.WriteLineAsync($"{label}: {pak}");
        await output.WriteLineAsync("The PAK is shown only this once and cannot be recovered: store it securely now.");
    }
}
