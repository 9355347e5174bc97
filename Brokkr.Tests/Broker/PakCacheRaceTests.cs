using System.Data.Common;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Configuration;
using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Brokkr.Tests.Broker;

/// <summary>
/// Spec §2.5: the old PAK fails immediately after rotation or deletion. A verification that read the database before
/// the rotation committed must not put the old identity back into the cache after the eviction. The interleaving is
/// forced by pausing the resolver's agent query, not by timing.
/// </summary>
public sealed class PakCacheRaceTests(BrokerHost broker) : IClassFixture<BrokerHost>
{
    private readonly Fleet _fleet = new(broker);

    [Fact]
    public async Task A_lookup_that_started_before_a_rotation_does_not_cache_the_old_PAK()
    {
        var agent = await _fleet.AgentAsync();
        var oldHash = PakFormat.HashOf(agent.Pak)!;
        var pause = new PauseAfterAgentQuery();
        await using var db = Context(pause);
        var cache = ListeningCache();

        var resolving = new PakResolver(db, cache).ResolveAsync(agent.Pak, CancellationToken.None);
        await pause.Reached; // the lookup has read the agent row with the old hash
        await broker.Client(agent.Pak).Send("POST", $"/agents/{agent.Id}/rotate-pak").Expect(200);
        cache.Evict(oldHash); // what the rotating request does after its commit
        pause.Release();

        Assert.Equal(agent.Id, (await resolving)?.AgentId); // the in-flight request was authenticated before the rotation
        Assert.False(cache.TryGet(oldHash, out _), "the old PAK went back into the cache after its eviction");
        Assert.Null(await new PakResolver(db, cache).ResolveAsync(agent.Pak, CancellationToken.None));
    }

    [Fact]
    public async Task Without_an_eviction_the_answer_is_cached()
    {
        var agent = await _fleet.AgentAsync();
        await using var db = Context(new PauseAfterAgentQuery(armed: false));
        var cache = ListeningCache();

        Assert.Equal(agent.Id, (await new PakResolver(db, cache).ResolveAsync(agent.Pak, CancellationToken.None))?.AgentId);
        Assert.True(cache.TryGet(PakFormat.HashOf(agent.Pak)!, out var cached));
        Assert.Equal(agent.Id, cached?.AgentId);
    }

    [Fact]
    public async Task A_suspended_cache_answers_nothing_and_stores_nothing()
    {
        var agent = await _fleet.AgentAsync();
        await using var db = Context(new PauseAfterAgentQuery(armed: false));
        var cache = ListeningCache();
        var hash = PakFormat.HashOf(agent.Pak)!;
        Assert.NotNull(await new PakResolver(db, cache).ResolveAsync(agent.Pak, CancellationToken.None));

        cache.Suspend(); // the revocation listener's connection dropped
        Assert.False(cache.TryGet(hash, out _), "a suspended cache still answered");
        Assert.NotNull(await new PakResolver(db, cache).ResolveAsync(agent.Pak, CancellationToken.None));
        Assert.False(cache.TryGet(hash, out _), "a suspended cache stored an answer");

        cache.Resume();
        Assert.False(cache.TryGet(hash, out _), "resuming must start from an empty cache");
        Assert.NotNull(await new PakResolver(db, cache).ResolveAsync(agent.Pak, CancellationToken.None));
        Assert.True(cache.TryGet(hash, out _));
    }

    /// <summary>A cache as a broker has it once its revocation listener is connected.</summary>
    private static AuthCache ListeningCache()
    {
        var cache = new AuthCache(Options.Create(new BrokerOptions()));
        cache.Resume();
        return cache;
    }

    private BrokkrDbContext Context(IInterceptor interceptor) => new(new DbContextOptionsBuilder<BrokkrDbContext>()
        .UseNpgsql(broker.ConnectionString)
        .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning))
        .AddInterceptors(interceptor)
        .Options);

    /// <summary>Holds the first query on <c>agents</c> after it has run, until <see cref="Release"/>.</summary>
    private sealed class PauseAfterAgentQuery(bool armed = true) : DbCommandInterceptor
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _armed = armed ? 1 : 0;

        public Task Reached => _reached.Task;

        public void Release() => _released.TrySetResult();

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData,
            DbDataReader result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("FROM agents", StringComparison.Ordinal) && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                _reached.TrySetResult();
                await _released.Task.WaitAsync(cancellationToken);
            }
            return result;
        }
    }
}
