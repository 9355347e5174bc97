using System.Globalization;
using Brokkr.Broker.Audit;
using Brokkr.Broker.Metrics;
using Brokkr.Broker.Webhooks;
using Brokkr.ServiceDefaults.Logging;
using Microsoft.Extensions.Configuration;

namespace Brokkr.Broker.Configuration;

/// <summary>A setting a reload changed, old and new value as text (v1 <c>ConfigChangeInfo</c>).</summary>
public sealed record ConfigChangeInfo(string Key, string OldValue, string NewValue)
{
    /// <summary>A change set as one log value: <c>key 'old' -> 'new', …</c>, or "no changes".</summary>
    public static string Describe(IReadOnlyCollection<ConfigChangeInfo> changes) =>
        changes.Count == 0 ? "no changes" : string.Join(", ", changes.Select(c => $"{c.Key} '{c.OldValue}' -> '{c.NewValue}'"));
}

/// <summary>
/// Re-reads every configuration source (the TOML file, the environment, the command line) and applies the dynamic
/// settings: the log level, CORS, and the broker's background intervals, which their consumers read at each tick
/// through <c>IOptionsMonitor</c>. The new sources are read into a candidate first and checked; a candidate with an
/// invalid value (or a configuration file that no longer parses) is refused whole and nothing changes.
/// Settings read only at startup (database, PAK format, body limit, listen address) keep their values until a restart.
/// </summary>
public sealed class ConfigReloader(IConfiguration configuration)
{
    /// <summary>The dynamic settings, upstream's dotted names, and how to read each from a configuration.</summary>
    private static readonly (string Key, Func<IConfiguration, string> Read)[] Dynamic =
    [
        ("log.level", c => LogLevel(c[$"{BrokkrLogging.Section}:level"])),
        ("cors.allowed_origins", c => Cors(c, "allowed_origins", "http://localhost:3001")),
        ("cors.allowed_methods", c => Cors(c, "allowed_methods", "GET,POST,PUT,DELETE,OPTIONS")),
        ("cors.allowed_headers", c => Cors(c, "allowed_headers", "Authorization,Content-Type")),
        ("cors.max_age_seconds", c => Text(BrokerCors.Policy(c).PreflightMaxAge?.TotalSeconds)),
        ("broker.work_order_maintenance_seconds", c => Text(Bind<BrokerOptions>(c, BrokerOptions.Section).WorkOrderMaintenanceSeconds)),
        ("broker.fleet_metrics_refresh_seconds", c => Text(Bind<BrokerMetricsOptions>(c, BrokerMetricsOptions.Section).FleetRefreshSeconds)),
        ("broker.webhook_delivery_interval_seconds", c => Text(Bind<WebhookOptions>(c, WebhookOptions.Section).DeliveryIntervalSeconds)),
        ("broker.webhook_delivery_batch_size", c => Text(Bind<WebhookOptions>(c, WebhookOptions.Section).DeliveryBatchSize)),
        ("broker.webhook_delivery_retention_days", c => Text(Bind<WebhookOptions>(c, WebhookOptions.Section).DeliveryRetentionDays)),
        ("broker.audit_log_retention_days", c => Text(Bind<AuditOptions>(c, AuditOptions.Section).RetentionDays)),
        ("broker.audit_log_cleanup_interval_seconds", c => Text(Bind<AuditOptions>(c, AuditOptions.Section).CleanupIntervalSeconds)),
    ];

    private readonly SemaphoreSlim _gate = new(1, 1);

    public static IReadOnlyList<string> DynamicKeys { get; } = Dynamic.Select(d => d.Key).ToArray();

    /// <summary>Reloads and returns what changed.</summary>
    /// <exception cref="ConfigReloadException">The new configuration is invalid; nothing was applied.</exception>
    public async Task<List<ConfigChangeInfo>> ReloadAsync()
    {
        if (configuration is not IConfigurationRoot root || configuration is not IConfigurationBuilder builder)
        {
            throw new ConfigReloadException("this broker's configuration cannot be reloaded");
        }
        // One reload at a time: two would compare against each other's half-applied state.
        await _gate.WaitAsync();
        try
        {
            var before = Read(configuration);
            Dictionary<string, string> after;
            try
            {
                var candidate = new ConfigurationBuilder();
                foreach (var source in builder.Sources)
                {
                    candidate.Add(source);
                }
                after = Read(candidate.Build());
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or IOException)
            {
                throw new ConfigReloadException(e.Message);
            }
            root.Reload();
            return DynamicKeys.Where(k => before[k] != after[k]).Select(k => new ConfigChangeInfo(k, before[k], after[k])).ToList();
        }
        finally
        {
            _gate.Release();
        }
    }

    private static Dictionary<string, string> Read(IConfiguration source) => Dynamic.ToDictionary(d => d.Key, d => Read(source, d.Key, d.Read));

    private static string Read(IConfiguration source, string key, Func<IConfiguration, string> read)
    {
        try
        {
            return read(source);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InvalidOperationException($"{key}: {e.Message}", e);
        }
    }

    /// <summary>The level as written (trimmed, lower case), once it is known to be valid; "" when unset.</summary>
    private static string LogLevel(string? value) =>
        BrokkrLogging.ParseLevel(value) is null ? "" : value!.Trim().ToLowerInvariant();

    private static T Bind<T>(IConfiguration source, string section) where T : new() => source.GetSection(section).Get<T>() ?? new T();

    private static string Cors(IConfiguration source, string key, string defaults) =>
        string.Join(",", BrokerCors.List(source.GetSection(BrokerCors.Section), key, defaults));

    private static string Text(IFormattable? value) => value?.ToString(null, CultureInfo.InvariantCulture) ?? "";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}

public sealed class ConfigReloadException(string message) : Exception(message);
