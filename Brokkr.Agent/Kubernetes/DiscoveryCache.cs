using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// The group-versions and resources the server serves, fetched with aggregated discovery when the server offers it
/// (one request each for /api and /apis) and legacy per-group-version discovery otherwise. A group-version that fails
/// (an aggregated API server answering 503) is left out rather than failing the whole sweep, but such a partial sweep
/// counts as a failed discovery, lists the group-version as unavailable, and is kept only for
/// <paramref name="partialMaxAge"/>, so the group is asked again on the next cycle instead of staying hidden (and its
/// objects unpruned) for <paramref name="maxAge"/>.
/// </summary>
internal sealed class DiscoveryCache(Func<string, string?, CancellationToken, Task<JsonNode>> get, TimeSpan maxAge,
    TimeSpan partialMaxAge, Action<bool, TimeSpan> onRefresh)
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile Snapshot? _current;

    /// <summary>What one sweep found.</summary>
    public sealed record Snapshot(IReadOnlyList<ApiGroupVersion> Groups, IReadOnlyList<UnavailableGroupVersion> Unavailable,
        DateTimeOffset FetchedAt);

    public void Invalidate() => _current = null;

    public async Task<Snapshot> GetAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        if (!forceRefresh && Fresh(_current) is { } cached)
        {
            return cached;
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (!forceRefresh && Fresh(_current) is { } fetchedMeanwhile)
            {
                return fetchedMeanwhile;
            }

            var started = Stopwatch.GetTimestamp();
            var groups = new List<ApiGroupVersion>();
            var unavailable = new List<UnavailableGroupVersion>();
            try
            {
                await FetchRootAsync("/api", legacyCore: true, groups, unavailable, cancellationToken);
                await FetchRootAsync("/apis", legacyCore: false, groups, unavailable, cancellationToken);
            }
            catch
            {
                onRefresh(false, Stopwatch.GetElapsedTime(started));
                throw;
            }

            unavailable.AddRange(groups.Where(g => g.Stale).Select(g => new UnavailableGroupVersion(g.Group, g.Version,
                g.Preferred, "its API server is unreachable (discovery freshness Stale)")));
            onRefresh(unavailable.Count == 0, Stopwatch.GetElapsedTime(started));
            var snapshot = new Snapshot(groups, unavailable, DateTimeOffset.UtcNow);
            _current = snapshot;
            return snapshot;
        }
        finally
        {
            _lock.Release();
        }
    }

    private Snapshot? Fresh(Snapshot? snapshot) =>
        snapshot is not null && DateTimeOffset.UtcNow - snapshot.FetchedAt < (snapshot.Unavailable.Count == 0 ? maxAge : partialMaxAge)
            ? snapshot : null;

    private async Task FetchRootAsync(string root, bool legacyCore, List<ApiGroupVersion> groups,
        List<UnavailableGroupVersion> unavailable, CancellationToken cancellationToken)
    {
        var document = await get(root, DiscoveryDocuments.AggregatedAccept, cancellationToken);
        if (DiscoveryDocuments.IsAggregated(document))
        {
            groups.AddRange(DiscoveryDocuments.ParseAggregated(document));
            return;
        }

        var versions = legacyCore
            ? (document["versions"]?.AsArray() ?? []).Select(v => ("", v!.GetValue<string>(), true)).ToList()
            : DiscoveryDocuments.ParseGroupList(document).ToList();
        foreach (var (group, version, preferred) in versions)
        {
            var path = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
            try
            {
                var list = await get(path, null, cancellationToken);
                groups.Add(new ApiGroupVersion(group, version, preferred, DiscoveryDocuments.ParseResourceList(list)));
            }
            catch (KubernetesApiException e) when (group.Length > 0 && e.StatusCode == HttpStatusCode.NotFound)
            {
                // Gone since /apis answered (a CRD deleted meanwhile): not served, nothing to report.
            }
            catch (KubernetesApiException e) when (group.Length > 0)
            {
                // One unavailable aggregated API must not hide every other group.
                unavailable.Add(new UnavailableGroupVersion(group, version, preferred, e.Message));
            }
        }
    }
}
