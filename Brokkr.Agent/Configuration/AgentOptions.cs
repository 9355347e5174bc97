using Microsoft.Extensions.Configuration;

namespace Brokkr.Agent.Configuration;

/// <summary>
/// Section <c>Brokkr:Agent</c> (environment <c>BROKKR__AGENT__*</c>, TOML <c>[agent]</c>) with upstream's key names
/// (brokkr-core.md §8.3). Values are raw here; <see cref="AgentSettings"/> applies fallbacks and validation.
/// </summary>
public sealed class AgentOptions
{
    public const string Section = "Brokkr:Agent";

    /// <summary>The public development admin PAK: upstream's default, which a real agent must override.</summary>
    public const string DevelopmentPak = "brokkr_BR3rVsDa_GK3QN7CDUzYc6iKgMkJ98M2WSimM5t6U8";

    /// <summary>Broker root without /api/v1; unset falls back to Aspire's service discovery, then localhost:3000.</summary>
    [ConfigurationKeyName("broker_url")]
    public string? BrokerUrl { get; set; }

    [ConfigurationKeyName("pak")]
    public string Pak { get; set; } = DevelopmentPak;

    [ConfigurationKeyName("agent_name")]
    public string AgentName { get; set; } = "DEFAULT";

    [ConfigurationKeyName("cluster_name")]
    public string ClusterName { get; set; } = "DEFAULT";

    /// <summary>Seconds between heartbeat + reconcile ticks.</summary>
    [ConfigurationKeyName("polling_interval")]
    public double PollingInterval { get; set; } = 10;

    /// <summary>Readiness attempts (one second apart) while waiting for the broker at startup.</summary>
    [ConfigurationKeyName("max_retries")]
    public int MaxRetries { get; set; } = 60;

    /// <summary>Longest wait between ticks while the broker is unreachable (never shorter than the polling interval).</summary>
    [ConfigurationKeyName("max_backoff_seconds")]
    public double MaxBackoffSeconds { get; set; } = 60;

    /// <summary>Timeout of one Kubernetes API request (an apply of a large object included).</summary>
    [ConfigurationKeyName("kubernetes_request_timeout_seconds")]
    public double KubernetesRequestTimeoutSeconds { get; set; } = 30;

    [ConfigurationKeyName("deployment_health_enabled")]
    public bool DeploymentHealthEnabled { get; set; } = true;

    /// <summary>Poll, claim and run custom and build work orders (one at a time) while the agent is ACTIVE.</summary>
    [ConfigurationKeyName("work_orders_enabled")]
    public bool WorkOrdersEnabled { get; set; } = true;

    /// <summary>Poll, claim and answer diagnostic requests for this agent while it is ACTIVE.</summary>
    [ConfigurationKeyName("diagnostics_enabled")]
    public bool DiagnosticsEnabled { get; set; } = true;

    /// <summary>Most log lines collected per container for a diagnostic (upstream's fixed 100).</summary>
    [ConfigurationKeyName("diagnostics_log_tail_lines")]
    public int DiagnosticsLogTailLines { get; set; } = 100;

    /// <summary>Most log bytes collected per container for a diagnostic.</summary>
    [ConfigurationKeyName("diagnostics_log_limit_bytes")]
    public int DiagnosticsLogLimitBytes { get; set; } = 64 * 1024;

    /// <summary>Seconds between deployment-health reports.</summary>
    [ConfigurationKeyName("deployment_health_interval")]
    public double DeploymentHealthInterval { get; set; } = 60;

    [ConfigurationKeyName("health_port")]
    public int HealthPort { get; set; } = 8080;

    /// <summary>
    /// A kubeconfig path, or a list merged like $KUBECONFIG. Unset: $KUBECONFIG, then ~/.kube/config; without a usable
    /// file the agent uses in-cluster credentials.
    /// </summary>
    [ConfigurationKeyName("kubeconfig_path")]
    public string? KubeconfigPath { get; set; }

    /// <summary>
    /// Restricts pruning lists of namespaced kinds; the namespace for objects without one (before the kubeconfig
    /// context's namespace, then "default").
    /// </summary>
    [ConfigurationKeyName("watch_namespace")]
    public string? WatchNamespace { get; set; }

    /// <summary>
    /// Upstream's knob: true keeps the agent off the broker channel (/internal/ws/agent) entirely — REST polling only,
    /// for ingresses that do not pass WebSocket upgrades.
    /// </summary>
    [ConfigurationKeyName("ws_force_rest")]
    public bool WsForceRest { get; set; }

    /// <summary>The channel's ws:// or wss:// URL when it enters through another ingress than REST; unset derives it from broker_url.</summary>
    [ConfigurationKeyName("ws_url")]
    public string? WsUrl { get; set; }

    /// <summary>Comma-separated generator UUIDs the agent registers itself with at startup.</summary>
    [ConfigurationKeyName("generator_ids")]
    public string? GeneratorIds { get; set; }
}
