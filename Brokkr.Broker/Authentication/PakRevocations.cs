using Brokkr.Broker.AgentChannel;
using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Authentication;

/// <summary>
/// Revokes a PAK on every broker replica sharing the database: the change that retires the PAK (a rotation, a
/// deletion) commits together with a PostgreSQL <c>NOTIFY</c> carrying the old hash, which each replica's
/// <see cref="NotificationListener"/> turns into an eviction. PostgreSQL delivers a notification only when its
/// transaction commits, so no replica hears of a revocation that was rolled back, and none misses one that was not.
/// The payload is the hash the database already stores, never the PAK.
/// </summary>
public sealed class PakRevocations(AuthCache cache, AgentConnections channels)
{
    public const string Channel = "brokkr_pak_revocations";

    /// <summary>Saves the pending changes that retire <paramref name="oldHash"/> and revokes it everywhere.</summary>
    public async Task SaveAndRevokeAsync(BrokkrDbContext db, string? oldHash)
    {
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await db.SaveChangesAsync();
            if (!string.IsNullOrEmpty(oldHash))
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {oldHash})");
            }
            await transaction.CommitAsync();
        }
        // This replica does not wait for its own notification: the caller's next request must already fail.
        Revoked(oldHash);
    }

    /// <summary>
    /// Applies a revocation on this replica, whoever committed it: the hash leaves the auth cache, and agent channels
    /// opened with it are closed (after the commit, so never racing the write).
    /// </summary>
    public void Revoked(string? hash)
    {
        cache.Evict(hash);
        channels.CloseRevoked(hash);
    }
}
