using Brokkr.Broker.Authentication;
using Brokkr.Broker.Configuration;
using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Startup;

/// <summary>
/// The admin key (spec §2.6): one hash, stored on the admin role and on the <c>admin-generator</c> linked to it. Set on
/// the first start by <see cref="DatabaseInitializer"/> and by <c>Brokkr.Broker rotate admin</c>.
/// </summary>
public static class AdminKey
{
    public const string GeneratorName = "admin-generator";

    /// <summary>
    /// <c>broker.pak_hash</c>, lower-cased, or null when it is empty (meaning: mint a fresh admin PAK).
    /// </summary>
    /// <exception cref="InvalidOperationException">It is set but not 64 hexadecimal characters.</exception>
    public static string? ConfiguredHash(BrokerOptions options)
    {
        var configured = options.PakHash?.Trim();
        if (string.IsNullOrEmpty(configured))
        {
            return null;
        }
        if (!PakFormat.IsValidHash(configured))
        {
            throw new InvalidOperationException("Brokkr:Broker:pak_hash must be 64 hexadecimal characters (a SHA-256 of the PAK's long part)");
        }
        return configured.ToLowerInvariant();
    }

    /// <summary>Stages <paramref name="hash"/> as the admin key (the caller saves) and returns the hash it replaces, if any.</summary>
    public static async Task<string?> StageAsync(BrokkrDbContext db, string hash, CancellationToken cancellationToken)
    {
        string? previous = null;
        var admin = await db.AdminRoles.FirstOrDefaultAsync(cancellationToken);
        if (admin is null)
        {
            db.AdminRoles.Add(new AdminRole { Id = Guid.CreateVersion7(), PakHash = hash });
        }
        else
        {
            previous = admin.PakHash;
            admin.PakHash = hash;
        }

        var adminGenerator = await db.Generators.FirstOrDefaultAsync(g => g.Name == GeneratorName && g.DeletedAt == null, cancellationToken);
        if (adminGenerator is null)
        {
            db.Generators.Add(new Generator { Id = Guid.CreateVersion7(), Name = GeneratorName, Description = "Linked to Admin PAK", PakHash = hash });
        }
        else
        {
            adminGenerator.PakHash = hash;
        }
        return previous;
    }
}
