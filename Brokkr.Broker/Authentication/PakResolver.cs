using System.Net;
using Brokkr.Broker.Data;
using Brokkr.Broker.Errors;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Authentication;

/// <summary>
/// Resolves a presented PAK to a <see cref="Caller"/> in the spec's order (§2.4: cache → admin → live agent → live
/// generator) and caches successes by hash for <c>auth_cache_ttl_seconds</c> (§2.5), bounded to <c>auth_cache_max_entries</c>.
/// Only hashes are ever held: the plaintext never leaves <see cref="ResolveAsync"/>.
/// </summary>
public sealed class PakResolver(BrokkrDbContext db, AuthCache cache, AuthFailureLimiter? limiter = null)
{
    /// <param name="client">The caller's address, whose failures <see cref="AuthFailureLimiter"/> budgets.</param>
    /// <exception cref="ApiException">429 <c>too_many_auth_failures</c>: the address spent its failure budget.</exception>
    public async Task<Caller?> ResolveAsync(string pak, CancellationToken cancellationToken, IPAddress? client = null)
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
        if (limiter?.RecentlyRefused(hash) == true)
        {
            return null;
        }
        if (limiter?.RetryAfter(client) is { } wait)
        {
            throw new ApiException(StatusCodes.Status429TooManyRequests, "too_many_auth_failures",
                "too many failed authentications from this address; retry later")
            {
                RetryAfterSeconds = (int)Math.Ceiling(wait.TotalSeconds),
            };
        }

        // Taken before the lookup reads the database, so a rotation or deletion committed meanwhile (and evicted)
        // keeps this possibly stale answer out of the cache.
        var generation = cache.Generation;
        var caller = await LookUpAsync(hash, cancellationToken);
        if (caller is not null)
        {
            cache.Set(hash, caller, generation);
        }
        else
        {
            limiter?.Failed(client, hash, "unknown PAK");
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
