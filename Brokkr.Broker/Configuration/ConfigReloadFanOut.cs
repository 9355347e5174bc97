using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Configuration;

/// <summary>
/// Makes a reload on one replica a reload on all of them: the replica that reloaded sends
/// <c>NOTIFY brokkr_config_reload</c> with its <see cref="ReplicaIdentity"/>, and every other replica's listener (the
/// one connection that also hears PAK revocations) re-reads its own configuration sources — its own file and
/// environment, so replicas configured differently stay so. A replica whose listener is down at that moment misses
/// the notice and keeps its settings until the next reload or restart; its reload outcome is in its own log.
/// </summary>
public sealed partial class ConfigReloadFanOut(ReplicaIdentity replica, ConfigReloader reloader, ILogger<ConfigReloadFanOut> logger)
{
    public const string Channel = "brokkr_config_reload";

    /// <summary>Tells the other replicas to reload; false when the notice could not be sent (nothing else changes).</summary>
    public async Task<bool> PublishAsync(BrokkrDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {replica.Id.ToString()})", cancellationToken);
            return true;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogNotSent(logger, e.Message);
            return false;
        }
    }

    /// <summary>Called by the listener for each notice; never blocks it. This replica's own notice is ignored.</summary>
    public void Notify(string payload)
    {
        if (payload == replica.Id.ToString())
        {
            return;
        }
        _ = Task.Run(ReloadAsync);
    }

    private async Task ReloadAsync()
    {
        try
        {
            var changes = await reloader.ReloadAsync();
            LogReloaded(logger, ConfigChangeInfo.Describe(changes));
        }
        catch (ConfigReloadException e)
        {
            LogRefused(logger, e.Message);
        }
    }

    [LoggerMessage(LogLevel.Information, "Configuration reloaded on another replica's request: {Changes}")]
    private static partial void LogReloaded(ILogger logger, string changes);

    [LoggerMessage(LogLevel.Warning, "Another replica asked for a configuration reload, but this replica's new configuration is invalid and was not applied: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Warning, "Reloaded here, but could not ask the other replicas to reload ({Reason}): call them directly")]
    private static partial void LogNotSent(ILogger logger, string reason);
}
