using Brokkr.Broker.Metrics;
using Brokkr.Broker.Targeting;
using Npgsql;

namespace Brokkr.Broker.StackTelemetry;

/// <summary>
/// Which (agent, stack) pairs may report telemetry: the agent is associated with the stack (targets, labels,
/// annotations — the target-state rules) or has applied one of its deployment objects (reported an event for it), so
/// a stack that just left its targets can still report its teardown. Answers are cached for a short while so a busy
/// stack costs one query per <see cref="Ttl"/>, not one per batch; used by the single writer only.
/// </summary>
public sealed class StackReporters(NpgsqlDataSource dataSource, DatabaseMetrics metrics, TimeProvider time)
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    // Shorter for refusals, so an agent that was just targeted is heard from soon.
    public static readonly TimeSpan RefusalTtl = TimeSpan.FromSeconds(5);
    private const int MaxCached = 50_000;

    private const string Sql = $"""
        SELECT p.agent_id, p.stack_id FROM unnest(@agents, @stacks) AS p(agent_id, stack_id)
        WHERE EXISTS (SELECT 1 FROM ({FleetTargeting.Associations}) a WHERE a.agent_id = p.agent_id AND a.stack_id = p.stack_id)
           OR EXISTS (SELECT 1 FROM agent_events e JOIN deployment_objects d ON d.id = e.deployment_object_id
                      WHERE e.agent_id = p.agent_id AND d.stack_id = p.stack_id)
        """;

    private readonly Dictionary<(Guid Agent, Guid Stack), (bool Allowed, DateTimeOffset Until)> _cache = [];

    /// <summary>The pairs of <paramref name="pairs"/> that may report.</summary>
    public async Task<HashSet<(Guid Agent, Guid Stack)>> AllowedAsync(IReadOnlyCollection<(Guid Agent, Guid Stack)> pairs,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var allowed = new HashSet<(Guid, Guid)>();
        var unknown = new List<(Guid Agent, Guid Stack)>();
        foreach (var pair in pairs)
        {
            if (_cache.TryGetValue(pair, out var cached) && cached.Until > now)
            {
                if (cached.Allowed)
                {
                    allowed.Add(pair);
                }
            }
            else
            {
                unknown.Add(pair);
            }
        }
        if (unknown.Count == 0)
        {
            return allowed;
        }
        if (_cache.Count + unknown.Count > MaxCached)
        {
            _cache.Clear();
        }
        var found = new HashSet<(Guid, Guid)>();
        await using (var command = dataSource.CreateCommand(Sql))
        {
            command.Parameters.AddWithValue("agents", unknown.Select(p => p.Agent).ToArray());
            command.Parameters.AddWithValue("stacks", unknown.Select(p => p.Stack).ToArray());
            await using var reader = await command.ExecuteReaderAsync(metrics, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add((reader.GetGuid(0), reader.GetGuid(1)));
            }
        }
        foreach (var pair in unknown)
        {
            var ok = found.Contains(pair);
            _cache[pair] = (ok, now + (ok ? Ttl : RefusalTtl));
            if (ok)
            {
                allowed.Add(pair);
            }
        }
        return allowed;
    }
}
