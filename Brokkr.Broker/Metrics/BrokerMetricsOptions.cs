using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Configuration;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// The broker's own metric settings, in section <c>Brokkr:Broker</c> (env <c>BROKKR__BROKER__*</c>) because they
/// describe broker behaviour; the global switch, path, labels and buckets stay in <c>Brokkr:Metrics</c>.
/// </summary>
public sealed class BrokerMetricsOptions
{
    public const string Section = "Brokkr:Broker";

    /// <summary>
    /// Endpoints left out of the <c>brokkr_http_*</c> families, by route path, comma-separated (e.g.
    /// <c>/healthz,/readyz</c> to drop probe traffic). Matched against the route a request was routed to, so
    /// <c>/healthz/</c> and <c>/HEALTHZ</c> are left out with <c>/healthz</c>. The scrape endpoint is always left out.
    /// </summary>
    [ConfigurationKeyName("metrics_excluded_paths")]
    public string? ExcludedPaths { get; set; }

    /// <summary>An agent counts in <c>brokkr_active_agents</c> while its last heartbeat is at most this old.</summary>
    [ConfigurationKeyName("active_agent_threshold_seconds")]
    public int ActiveAgentThresholdSeconds { get; set; } = 300;

    /// <summary>
    /// Whether <c>brokkr_agent_heartbeat_age_seconds</c> has one series per agent; turn off for fleets so large that
    /// per-agent series would burden Prometheus.
    /// </summary>
    [ConfigurationKeyName("metrics_per_agent_series")]
    public bool PerAgentSeries { get; set; } = true;

    /// <summary>How often the fleet gauges are reloaded from the database.</summary>
    [ConfigurationKeyName("fleet_metrics_refresh_seconds")]
    public int FleetRefreshSeconds { get; set; } = 30;

    /// <summary>The excluded endpoints as <see cref="EndpointLabel"/> values, the scrape endpoint's included.</summary>
    public IReadOnlySet<string> ExcludedEndpoints(string scrapePath)
    {
        var labels = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Label(scrapePath) };
        foreach (var path in (ExcludedPaths ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            labels.Add(Label(path));
        }
        return labels;
    }

    // Normalised like a route template, so the path's label is the one a request routed to it gets.
    private static string Label(string path)
    {
        try
        {
            return EndpointLabel.Normalize(RoutePatternFactory.Parse(path));
        }
        catch (RoutePatternException e)
        {
            throw new InvalidOperationException($"{Section}:metrics_excluded_paths: '{path}' is not a route path: {e.Message}", e);
        }
    }
}
