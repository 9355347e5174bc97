using Microsoft.Extensions.Configuration;

namespace Brokkr.Agent.Configuration;

/// <summary>
/// The agent's effective configuration: <see cref="AgentOptions"/> plus the fallbacks users of upstream and of Aspire
/// expect (Aspire's <c>services__broker__http__0</c>, <c>KUBECONFIG</c>, the deprecated <c>BROKKR_GENERATOR_IDS</c>),
/// validated once so a typo stops the agent at startup with a message naming the key.
/// </summary>
public sealed record AgentSettings
{
    /// <summary>Where Aspire's service discovery puts the broker's endpoint (env <c>services__broker__http__0</c>).</summary>
    public const string AspireBrokerKey = "services:broker:http:0";
    public const string DeprecatedGeneratorIdsKey = "BROKKR_GENERATOR_IDS";
    public static readonly Uri DefaultBrokerUrl = new("http://localhost:3000/");

    /// <summary>The broker's service name, resolved per request by Microsoft.Extensions.ServiceDiscovery from
    /// <c>services:broker:http:*</c> (Aspire's wiring), so a changed endpoint needs no restart.</summary>
    public const string DiscoveredBrokerUrl = "http://broker/";

    public required Uri BrokerUrl { get; init; }
    public required string Pak { get; init; }
    public required string AgentName { get; init; }
    public required string ClusterName { get; init; }
    public required TimeSpan PollingInterval { get; init; }
    public required TimeSpan MaxBackoff { get; init; }
    public required int MaxRetries { get; init; }
    public required TimeSpan KubernetesRequestTimeout { get; init; }
    public required int HealthPort { get; init; }
    public bool DeploymentHealthEnabled { get; init; } = true;
    public bool WorkOrdersEnabled { get; init; } = true;
    public bool DiagnosticsEnabled { get; init; } = true;
    public int DiagnosticsLogTailLines { get; init; } = 100;
    public int DiagnosticsLogLimitBytes { get; init; } = 64 * 1024;
    public TimeSpan DeploymentHealthInterval { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>kubeconfig files merged as kubectl merges a KUBECONFIG list (first file to set a value wins).</summary>
    public required IReadOnlyList<string> KubeconfigPaths { get; init; }
    public string? WatchNamespace { get; init; }
    public required IReadOnlyList<Guid> GeneratorIds { get; init; }

    /// <summary>No broker channel: REST polling only (<c>ws_force_rest</c>).</summary>
    public bool WsForceRest { get; init; }

    /// <summary>The broker channel's endpoint: <c>ws_url</c>, else broker_url with ws(s):// and /internal/ws/agent.</summary>
    public Uri ChannelUrl { get; init; } = new("ws://localhost:3000/internal/ws/agent");

    /// <summary>Entries of the generator list that are not UUIDs; logged and skipped as upstream does.</summary>
    public IReadOnlyList<string> MalformedGeneratorIds { get; init; } = [];

    public bool UsesDevelopmentPak => Pak == AgentOptions.DevelopmentPak;

    /// <exception cref="InvalidOperationException">A value is out of range or not a URL.</exception>
    public static AgentSettings From(IConfiguration configuration)
    {
        var options = configuration.GetSection(AgentOptions.Section).Get<AgentOptions>() ?? new AgentOptions();
        Require(options.PollingInterval > 0, "polling_interval must be a positive number of seconds");
        Require(options.MaxRetries >= 1, "max_retries must be at least 1");
        Require(options.MaxBackoffSeconds > 0, "max_backoff_seconds must be positive");
        Require(options.KubernetesRequestTimeoutSeconds > 0, "kubernetes_request_timeout_seconds must be positive");
        Require(options.DeploymentHealthInterval > 0, "deployment_health_interval must be a positive number of seconds");
        Require(options.DiagnosticsLogTailLines is >= 1 and <= 10_000, "diagnostics_log_tail_lines must be between 1 and 10000");
        Require(options.DiagnosticsLogLimitBytes is >= 1 and <= 1024 * 1024, "diagnostics_log_limit_bytes must be between 1 and 1048576");
        Require(options.HealthPort is >= 0 and <= 65535, "health_port must be a TCP port (0-65535)");
        Require(!string.IsNullOrWhiteSpace(options.Pak), "pak must not be empty");
        Require(!string.IsNullOrWhiteSpace(options.AgentName) && !string.IsNullOrWhiteSpace(options.ClusterName),
            "agent_name and cluster_name must not be empty");

        var interval = TimeSpan.FromSeconds(options.PollingInterval);
        var (generatorIds, malformed) = ParseGeneratorIds(
            NonEmpty(options.GeneratorIds) ?? configuration[DeprecatedGeneratorIdsKey]);
        var brokerUrl = BrokerUrlFrom(NonEmpty(options.BrokerUrl)
            ?? (NonEmpty(configuration[AspireBrokerKey]) is null ? null : DiscoveredBrokerUrl));
        return new AgentSettings
        {
            BrokerUrl = brokerUrl,
            WsForceRest = options.WsForceRest,
            // A WebSocket cannot go through service discovery's handler: under Aspire use the address it would resolve.
            ChannelUrl = ChannelUrlFrom(NonEmpty(options.WsUrl),
                brokerUrl == new Uri(DiscoveredBrokerUrl) ? BrokerUrlFrom(configuration[AspireBrokerKey]) : brokerUrl),
            Pak = options.Pak.Trim(),
            AgentName = options.AgentName,
            ClusterName = options.ClusterName,
            PollingInterval = interval,
            MaxBackoff = TimeSpan.FromSeconds(Math.Max(options.MaxBackoffSeconds, options.PollingInterval)),
            MaxRetries = options.MaxRetries,
            KubernetesRequestTimeout = TimeSpan.FromSeconds(options.KubernetesRequestTimeoutSeconds),
            HealthPort = options.HealthPort,
            DeploymentHealthEnabled = options.DeploymentHealthEnabled,
            WorkOrdersEnabled = options.WorkOrdersEnabled,
            DiagnosticsEnabled = options.DiagnosticsEnabled,
            DiagnosticsLogTailLines = options.DiagnosticsLogTailLines,
            DiagnosticsLogLimitBytes = options.DiagnosticsLogLimitBytes,
            DeploymentHealthInterval = TimeSpan.FromSeconds(options.DeploymentHealthInterval),
            KubeconfigPaths = KubeconfigPathsFrom(NonEmpty(options.KubeconfigPath) ?? NonEmpty(configuration["KUBECONFIG"])),
            WatchNamespace = NonEmpty(options.WatchNamespace),
            GeneratorIds = generatorIds,
            MalformedGeneratorIds = malformed,
        };
    }

    private static Uri BrokerUrlFrom(string? value)
    {
        if (value is null)
        {
            return DefaultBrokerUrl;
        }

        Require(Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https",
            $"broker_url '{value}' is not an http(s) URL");
        // A trailing slash makes relative paths like "api/v1/..." append to any path prefix the URL has.
        return url!.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
    }

    /// <summary>
    /// A path list (':' on Unix, ';' on Windows) as in $KUBECONFIG; kubeconfig_path is one too, since upstream hands
    /// it to its client as KUBECONFIG. Neither set: ~/.kube/config.
    /// </summary>
    private static Uri ChannelUrlFrom(string? wsUrl, Uri brokerUrl)
    {
        if (wsUrl is not null)
        {
            Require(Uri.TryCreate(wsUrl, UriKind.Absolute, out var url) && url.Scheme is "ws" or "wss",
                $"ws_url '{wsUrl}' is not a ws(s) URL");
            return url!;
        }
        return new UriBuilder(brokerUrl)
        {
            Scheme = brokerUrl.Scheme == "https" ? "wss" : "ws",
            Path = brokerUrl.AbsolutePath.TrimEnd('/') + "/internal/ws/agent",
        }.Uri;
    }

    private static IReadOnlyList<string> KubeconfigPathsFrom(string? list)
    {
        var paths = (list ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return paths.Length > 0 ? paths.Distinct().ToList()
            : [Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config")];
    }

    private static (IReadOnlyList<Guid>, IReadOnlyList<string>) ParseGeneratorIds(string? list)
    {
        var ids = new List<Guid>();
        var malformed = new List<string>();
        foreach (var entry in (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Guid.TryParse(entry, out var id))
            {
                ids.Add(id);
            }
            else
            {
                malformed.Add(entry);
            }
        }

        return (ids.Distinct().ToList(), malformed);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Invalid agent configuration ({AgentOptions.Section}): {message}");
        }
    }
}
