using Brokkr.Broker.Authentication;
using Brokkr.Broker.Configuration;
using Microsoft.Extensions.Options;

namespace Brokkr.Tests.Broker;

/// <summary>The auth cache's memory bound (<c>auth_cache_max_entries</c>) and a default sized for 100,000 agents.</summary>
public sealed class AuthCacheBoundsTests
{
    [Fact]
    public void The_default_holds_a_hundred_thousand_agents_for_many_polling_intervals()
    {
        var defaults = new BrokerOptions();
        Assert.True(defaults.AuthCacheMaxEntries >= 100_000, $"cap {defaults.AuthCacheMaxEntries}");
        // A 10 s poller re-verifies once per TTL: at 600 s that is under 1% of its requests.
        Assert.True(defaults.AuthCacheTtlSeconds >= 300, $"TTL {defaults.AuthCacheTtlSeconds} s");

        using var cache = Listening(defaults);
        var generation = cache.Generation;
        for (var i = 0; i < 100_000; i++)
        {
            cache.Set(Hash(i), new Caller(CallerRole.Agent, Guid.NewGuid()), generation);
        }
        Assert.All(new[] { 0, 49_999, 99_999 }, i => Assert.True(cache.TryGet(Hash(i), out _), $"entry {i} was not kept"));
    }

    [Fact]
    public void No_more_entries_than_the_cap_are_ever_held()
    {
        using var cache = Listening(new BrokerOptions { AuthCacheMaxEntries = 2 });
        var generation = cache.Generation;
        for (var i = 0; i < 3; i++)
        {
            cache.Set(Hash(i), new Caller(CallerRole.Agent, Guid.NewGuid()), generation);
        }
        var held = Enumerable.Range(0, 3).Count(i => cache.TryGet(Hash(i), out _));
        Assert.True(held <= 2, $"{held} entries held with a cap of 2");
    }

    private static string Hash(int i) => i.ToString("x64");

    private static AuthCache Listening(BrokerOptions options)
    {
        var cache = new AuthCache(Options.Create(options));
        cache.Resume();
        return cache;
    }
}
