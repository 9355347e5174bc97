using System.Text.Json.Nodes;

namespace Brokkr.Agent.Kubernetes;

/// <summary>
/// The group-versions and resources the server serves, fetched with aggregated discovery when the server offers it
/// (one request each for /api and /apis) and legacy per-group-version discovery otherwise. A group-version that fails
/// (an aggregated API server answering 503) is left out rather than failing the whole sweep.
/// </summary>
internal sealed class DiscoveryCache(Func<string, string?, CancellationToken, Task<JsonNode>> get, TimeSpan maxAge,
    Action<bool, TimeSpan> onRefresh)
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private IReadOnlyList<ApiGroupVersion>? _groups;
    private DateTimeOffset _fetchedAt;

    public void Invalidate() => _groups = null;

    public async Task<IReadOnlyList<ApiGroupVersion>> GetAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        var current = _groups;
        if (!forceRefresh && current is not null && DateTimeOffset.UtcNow - _fetchedAt < maxAge)
        {
            return current;
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (!forceRefresh && _groups is not null && DateTimeOffset.UtcNow - _fetchedAt < maxAge)
            {
                return _groups;
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var groups = new List<ApiGroupVersion>();
            try
            {
                groups.AddRange(await FetchRootAsync("/api", legacyCore: true, cancellationToken));
                groups.AddRange(await FetchRootAsync("/apis", legacyCore: false, cancellationToken));
            }
            catch
            {
                onRefresh(false, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                throw;
            }

            onRefresh(true, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            _groups = groups;
            _fetchedAt = DateTimeOffset.UtcNow;
            return groups;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<IReadOnlyList<ApiGroupVersion>> FetchRootAsync(string root, bool legacyCore,
        CancellationToken cancellationToken)
    {
        var document = await get(root, DiscoveryDocuments.AggregatedAccept, cancellationToken);
        if (DiscoveryDocuments.IsAggregated(document))
        {
            return DiscoveryDocuments.ParseAggregated(document);
        }

        var versions = legacyCore
            ? (document["versions"]?.AsArray() ?? []).Select(v => ("", v!.GetValue<string>(), true)).ToList()
            : DiscoveryDocuments.ParseGroupList(document).ToList();
        var result = new List<ApiGroupVersion>();
        foreach (var (group, version, preferred) in versions)
        {
            var path = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
            try
            {
                var list = await get(path, null, cancellationToken);
                result.Add(new ApiGroupVersion(group, version, preferred, DiscoveryDocuments.ParseResourceList(list)));
            }
            catch (KubernetesApiException) when (group.Length > 0)
            {
                // One unavailable aggregated API must not hide every other group.
            }
        }

        return result;
    }
}
