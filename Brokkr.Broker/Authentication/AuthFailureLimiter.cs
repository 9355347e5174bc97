using System.Net;
using System.Threading.RateLimiting;
using Brokkr.Broker.Configuration;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Authentication;

/// <summary>
/// Brute-force protection for PAK verification. Every unknown PAK costs database lookups, so failures are budgeted
/// per client address with a token bucket (<c>broker.auth_failure_burst</c> failures, refilled at
/// <c>broker.auth_failures_per_minute</c>): an address that has spent its budget gets 429 with <c>Retry-After</c> for
/// PAKs that would need the database, until the bucket refills. Keys already verified (in the auth cache) keep working
/// from every address, and other addresses are never affected. A PAK that just failed is remembered for a few seconds,
/// so repeating it costs no query. Bursts are logged with the address and the reason, never the key.
/// </summary>
public sealed partial class AuthFailureLimiter : IDisposable
{
    private static readonly TimeSpan RememberRefusedFor = TimeSpan.FromSeconds(10);
    private readonly PartitionedRateLimiter<IPAddress>? _budget;
    private readonly MemoryCache _refused = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private readonly int _burst;
    private readonly TimeSpan _refillEvery;
    private readonly ILogger<AuthFailureLimiter> _logger;

    public AuthFailureLimiter(IOptions<BrokerOptions> options, ILogger<AuthFailureLimiter> logger)
    {
        _logger = logger;
        _burst = options.Value.AuthFailureBurst;
        var perMinute = options.Value.AuthFailuresPerMinute;
        if (_burst <= 0 || perMinute <= 0)
        {
            return; // either set to 0 turns the limit off
        }
        _refillEvery = TimeSpan.FromMinutes(1.0 / perMinute);
        _budget = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetTokenBucketLimiter(address, _ =>
            new TokenBucketRateLimiterOptions
            {
                TokenLimit = _burst,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = _refillEvery,
                AutoReplenishment = true,
                QueueLimit = 0,
            }));
    }

    /// <summary>How long a client must wait before its next unverified PAK is looked up; null when it may go ahead.</summary>
    public TimeSpan? RetryAfter(IPAddress? address)
    {
        if (_budget is null || address is null)
        {
            return null;
        }
        return _budget.GetStatistics(address)?.CurrentAvailablePermits > 0 ? null : _refillEvery;
    }

    /// <summary>True when this PAK hash failed verification moments ago: refuse it again without a lookup.</summary>
    public bool RecentlyRefused(string hash) => _refused.TryGetValue(hash, out _);

    /// <summary>Records a PAK that matched nothing, from <paramref name="address"/>.</summary>
    public void Failed(IPAddress? address, string? hash, string reason)
    {
        if (hash is not null)
        {
            _refused.Set(hash, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = RememberRefusedFor });
        }
        if (_budget is null || address is null)
        {
            return;
        }
        var before = _budget.GetStatistics(address)?.CurrentAvailablePermits ?? _burst;
        using var lease = _budget.AttemptAcquire(address);
        if (before >= _burst)
        {
            LogBurstStarted(_logger, address, reason);
        }
        else if (before == 1)
        {
            LogLimited(_logger, address, _burst, _refillEvery.TotalSeconds);
        }
    }

    public void Dispose()
    {
        _budget?.Dispose();
        _refused.Dispose();
    }

    [LoggerMessage(LogLevel.Warning, "Failed authentication from {Address} ({Reason})")]
    private static partial void LogBurstStarted(ILogger logger, IPAddress address, string reason);

    [LoggerMessage(LogLevel.Warning, "{Burst} failed authentications from {Address}: its unverified PAKs get 429 until the budget refills (one more every {Seconds:0.#} s)")]
    private static partial void LogLimited(ILogger logger, IPAddress address, int burst, double seconds);
}
