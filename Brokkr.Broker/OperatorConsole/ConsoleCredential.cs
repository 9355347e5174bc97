using Brokkr.Broker.Authentication;

namespace Brokkr.Broker.OperatorConsole;

/// <summary>
/// The operator console's read-only credential: minted once per process, held only in memory and embedded in the
/// console page. It is never stored, logged or exposed through the API; a restart replaces it. Every replica mints its
/// own, so a console session stays on the replica that served its page.
/// </summary>
public sealed class ConsoleCredential
{
    /// <summary>Admin-level reads across every tenant; <see cref="ConsoleAccess"/> refuses the writes.</summary>
    public static readonly Caller Caller = new(CallerRole.Admin, ReadOnly: true);

    private readonly string _hash;

    public ConsoleCredential(PakFormat format)
    {
        var minted = format.Mint();
        Plaintext = minted.Plaintext;
        _hash = minted.Hash;
    }

    /// <summary>The PAK the console page carries.</summary>
    public string Plaintext { get; }

    public bool Matches(string pak) => PakFormat.HashesEqual(PakFormat.HashOf(pak), _hash);

    /// <summary>Never the secret, should the object end up in a log message or a debugger display.</summary>
    public override string ToString() => "ConsoleCredential(***)";
}
