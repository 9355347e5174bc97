using System.CommandLine;

namespace Brokkr.Broker.Commands;

/// <summary>
/// <c>generate-pak</c>: mints an admin PAK and its hash without touching a database, for the day-zero setup where the
/// hash goes into <c>BROKKR__BROKER__PAK_HASH</c> before the broker first starts. Not audited: it changes nothing
/// and may run before any database exists; installing the PAK (the first start, or <c>rotate admin</c>) is what counts.
/// </summary>
public static class GeneratePakCommand
{
    public static Command Build(IReadOnlyDictionary<string, string?>? settings)
    {
        var command = new Command("generate-pak", "Mint an admin PAK and its hash offline (no database is contacted)");
        command.SetAction(parsed => AdminAction.RunAsync(parsed.InvocationConfiguration.Error, async () =>
        {
            // The session only reads the PAK format (prefix, token lengths) from the broker's configuration.
            await using var session = AdminSession.Offline(settings);
            var pak = session.Paks.Mint();
            var output = parsed.InvocationConfiguration.Output;
            await output.WriteLineAsync("Minted an admin PAK; nothing was written anywhere.");
            await PakOutput.WriteAsync(output, "PAK", pak.Plaintext);
            await output.WriteLineAsync($"PAK hash: {pak.Hash}");
            await output.WriteLineAsync("Set the hash as BROKKR__BROKER__PAK_HASH (broker.pak_hash) before the broker's first start; " +
                "authenticate with the PAK as `Authorization: Bearer <PAK>`.");
            return BrokerExitCodes.Success;
        }));
        return command;
    }
}
