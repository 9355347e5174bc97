using Brokkr.Broker.Configuration;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Authentication;

/// <summary>
/// The short-lived verification cache of §2.5, keyed by PAK hash. Two rules keep a revoked PAK from outliving its
/// revocation:
/// <list type="bullet">
/// <item>A lookup that began before an eviction must not re-insert what it read: every eviction bumps
/// <see cref="Generation"/>, and <see cref="Set"/> only stores an answer whose lookup started in the current
/// generation. Without that, a request racing a rotation could cache the old PAK again for a whole TTL.</item>
/// <item>Other broker replicas revoke PAKs too, and learn of it only through <see cref="Data.NotificationListener"/>. While
/// that listener is not connected this broker could miss a revocation, so the cache is <em>suspended</em>: it answers
/// nothing and stores nothing, and every request is verified against the database. It starts suspended.</item>
/// </list>
/// </summary>
/// <remarks>
/// Memory is bounded by <c>auth_cache_max_entries</c> (about 370 bytes an entry: the 64-character hash key, the caller
/// and MemoryCache's entry), so the default 150,000 stays under ~55 MB even when full. Past the cap new PAKs are
/// verified against the database until expiry or compaction frees room; nothing is ever served stale.
/// </remarks>
public sealed class AuthCache : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _ttl;
    private readonly MemoryCache _cache;
    private long _generation;
    private bool _active;

    public AuthCache(IOptions<BrokerOptions> options)
    {
        _ttl = TimeSpan.FromSeconds(Math.Max(0, options.Value.AuthCacheTtlSeconds));
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.Value.AuthCacheMaxEntries) });
    }

    /// <summary>False when the TTL is 0: nothing is cached, so there is nothing to keep in step.</summary>
    public bool IsEnabled => _ttl > TimeSpan.Zero;

    /// <summary>Read before looking a PAK up in the database; pass it to <see cref="Set"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public bool TryGet(string hash, out Caller? caller)
    {
        caller = null;
        return Volatile.Read(ref _active) && _cache.TryGetValue(hash, out caller);
    }

    /// <param name="generation">The <see cref="Generation"/> read before the lookup that produced <paramref name="caller"/>.</param>
    public void Set(string hash, Caller caller, long generation)
    {
        if (!IsEnabled)
        {
            return;
        }
        // Checked and stored under the lock Evict takes, so an eviction cannot fall between the two.
        lock (_gate)
        {
            if (_active && generation == _generation)
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

    /// <summary>Revocations are being heard again: start caching, from empty (any could have been missed).</summary>
    public void Resume() => Reset(active: true);

    /// <summary>Revocations may be missed from now on: forget everything and cache nothing until <see cref="Resume"/>.</summary>
    public void Suspend() => Reset(active: false);

    private void Reset(bool active)
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _generation);
            Volatile.Write(ref _active, active);
            _cache.Clear();
        }
    }

    public void Dispose() => _cache.Dispose();
}
