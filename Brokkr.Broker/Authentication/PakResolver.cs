using Brokkr.Broker.Configuration;
using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Authentication;

/// <summary>
/// Resolves a presented PAK to a <see cref="Caller"/> in the spec's order (§2.4: cache → admin → live agent → live
/// generator) and caches successes by hash for <c>auth_cache_ttl_seconds</c> (§2.5), bounded to 10 000 entries.
/// Only hashes are ever held: the plaintext never leaves <see cref="ResolveAsync"/>.
/// </summary>
public sealed class PakResolver(BrokkrDbContext db, AuthCache cache)
{
    public async Task<Caller?> ResolveAsync(string pak, CancellationToken cancellationToken)
    {
        var hash = PakFormat.HashOf(pak);
        if (hash is null)
        {
            return null;
        }
        if (cache.TryGet(hash, out var cached))
        {
            return cached;
        }

        // Taken before the lookup reads the database, so a rotation or deletion committed meanwhile (and evicted)
        // keeps this possibly stale answer out of the cache.
        var generation = cache.Generation;
        var caller = await LookUpAsync(hash, cancellationToken);
        if (caller is not null)
        {
            cache.Set(hash, caller, generation);
        }
        return caller;
    }

    private async Task<Caller?> LookUpAsync(string hash, CancellationToken cancellationToken)
    {
        // The indexed lookups find the candidate; the final equality is still checked in constant time.
        var adminHashes = await db.AdminRoles.Select(a => a.PakHash).ToListAsync(cancellationToken);
        if (adminHashes.Any(h => PakFormat.HashesEqual(h, hash)))
        {
            return new Caller(CallerRole.Admin);
        }

        var agent = await db.Agents.Where(a => a.DeletedAt == null && a.PakHash == hash)
            .Select(a => new { a.Id, a.PakHash }).FirstOrDefaultAsync(cancellationToken);
        if (agent is not null && PakFormat.HashesEqual(agent.PakHash, hash))
        {
            return new Caller(CallerRole.Agent, AgentId: agent.Id);
        }

        var generator = await db.Generators.Where(g => g.DeletedAt == null && g.PakHash == hash)
            .Select(g => new { g.Id, g.PakHash }).FirstOrDefaultAsync(cancellationToken);
        if (generator is not null && PakFormat.HashesEqual(generator.PakHash, hash))
        {
            return new Caller(CallerRole.Generator, GeneratorId: generator.Id);
        }
        return null;
    }
}

/// <summary>
/// The short-lived verification cache of §2.5; entries are evicted on PAK rotation and soft delete. A lookup that
/// began before an eviction must not re-insert what it read: every eviction bumps <see cref="Generation"/>, and
/// <see cref="Set"/> only stores an answer whose lookup started in the current generation. Without that, a request
/// racing a rotation could cache the old PAK again and keep it valid for a whole TTL.
/// </summary>
public sealed class AuthCache : IDisposable
{
    private const int MaxEntries = 10_000;
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxEntries });
    private readonly Lock _gate = new();
    private readonly TimeSpan _ttl;
    private long _generation;

    public AuthCache(IOptions<BrokerOptions> options)
    {
        _ttl = TimeSpan.FromSeconds(Math.Max(0, options.Value.AuthCacheTtlSeconds));
    }

    /// <summary>Read before looking a PAK up in the database; pass it to <see cref="Set"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public bool TryGet(string hash, out Caller? caller) => _cache.TryGetValue(hash, out caller);

    /// <param name="generation">The <see cref="Generation"/> read before the lookup that produced <paramref name="caller"/>.</param>
    public void Set(string hash, Caller caller, long generation)
    {
        if (_ttl <= TimeSpan.Zero)
        {
            return;
        }
        // Checked and stored under the lock Evict takes, so an eviction cannot fall between the two.
        lock (_gate)
        {
            if (generation == _generation)
            {
                _cache.Set(hash, caller, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = _ttl });
            }
        }
    }

    /// <summary>Call after the rotation or deletion has committed.</summary>
    public void Evict(string? hash)
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _generation);
            if (!string.IsNullOrEmpty(hash))
            {
                _cache.Remove(hash);
            }
        }
    }

    public void Dispose() => _cache.Dispose();
}
