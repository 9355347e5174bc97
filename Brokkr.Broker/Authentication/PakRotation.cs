using Brokkr.Broker.Data;

namespace Brokkr.Broker.Authentication;

/// <summary>
/// Replacing an agent's or a generator's PAK, for the <c>rotate-pak</c> endpoints and <c>Brokkr.Broker rotate</c> alike:
/// the new hash is stored and the old PAK revoked on every replica in one commit (<see cref="PakRevocations"/>).
/// </summary>
public static class PakRotation
{
    public static Task<MintedPak> RotateAsync(Agent agent, BrokkrDbContext db, PakFormat paks, PakRevocations revocations) =>
        RotateAsync(agent.PakHash, hash => agent.PakHash = hash, db, paks, revocations);

    public static Task<MintedPak> RotateAsync(Generator generator, BrokkrDbContext db, PakFormat paks, PakRevocations revocations) =>
        RotateAsync(generator.PakHash, hash => generator.PakHash = hash, db, paks, revocations);

    private static async Task<MintedPak> RotateAsync(string? oldHash, Action<string> store, BrokkrDbContext db, PakFormat paks,
        PakRevocations revocations)
    {
        var pak = paks.Mint();
        store(pak.Hash);
        await revocations.SaveAndRevokeAsync(db, oldHash);
        return pak;
    }
}
