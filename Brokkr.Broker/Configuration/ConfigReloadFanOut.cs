using System.Globalization;
using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;

namespace Brokkr.Broker.Configuration;

/// <summary>
/// Makes a reload on one replica a reload on all of them: the replica that reloaded sends
/// <c>NOTIFY brokkr_config_reload</c> with its <see cref="ReplicaIdentity"/> and the next value of the
/// <c>brokkr_config_reload_generation</c> sequence, and every other replica's listener (the one connection that also
/// hears PAK revocations) re-reads its own configuration sources — its own file and environment, so replicas
/// configured differently stay so. A replica whose listener was down when a notice was sent finds, when it listens
/// again, the sequence past the last generation it saw, and reloads then (<see cref="Resume"/>).
/// </summary>
public sealed partial class ConfigReloadFanOut(ReplicaIdentity replica, ConfigReloader reloader, ILogger<ConfigReloadFanOut> logger)
{
    public const string Channel = "brokkr_config_reload";

    /// <summary>The sequence's current value, 0 before the first reload; read on the listener's own connection.</summary>
    public const string GenerationSql =
        "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM brokkr_config_reload_generation";

    private readonly Lock _gate = new();
    private long? _seen; // the newest generation this replica has applied or skipped; null until the listener first connects

    /// <summary>Tells the other replicas to reload; false when the notice could not be sent (nothing else changes).</summary>
    public async Task<bool> PublishAsync(BrokkrDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            // The generation is noted here too: this replica's own notice may not reach its listener.
            var generation = await db.Database.SqlQuery<long>($"""
                SELECT g AS "Value" FROM nextval('brokkr_config_reload_generation') AS g,
                    LATERAL pg_notify({Channel}, {replica.Id.ToString()} || ':' || g)
                """).ToListAsync(cancellationToken);
            Saw(generation.Single());
            return true;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogNotSent(logger, e.Message);
            return false;
        }
    }

    /// <summary>Called by the listener for each notice; never blocks it. This replica's own notice is only noted.</summary>
    public void Notify(string payload)
    {
        var separator = payload.LastIndexOf(':');
        if (separator < 0 || !long.TryParse(payload.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
        {
            return;
        }
        Saw(generation);
        if (payload[..separator] != replica.Id.ToString())
        {
            _ = Task.Run(() => ReloadAsync(missed: false));
        }
    }

    /// <summary>
    /// Called by the listener each time it starts listening, with <see cref="GenerationSql"/>'s answer: the first
    /// time it only records where the counter stands (this process read its configuration at start); after an outage
    /// a counter that moved means a notice was missed, and this replica reloads.
    /// </summary>
    public void Resume(long generation)
    {
        if (Saw(generation))
        {
            _ = Task.Run(() => ReloadAsync(missed: true));
        }
    }

    /// <summary>Records <paramref name="generation"/>; true when it is past one seen before (a reload this replica missed).</summary>
    private bool Saw(long generation)
    {
        lock (_gate)
        {
            var moved = _seen is { } seen && generation > seen;
            _seen = Math.Max(_seen ?? 0, generation);
            return moved;
        }
    }

    private async Task ReloadAsync(bool missed)
    {
        try
        {
            var changes = ConfigChangeInfo.Describe(await reloader.ReloadAsync());
            if (missed)
            {
                LogReloadedAfterOutage(logger, changes);
            }
            else
            {
                LogReloaded(logger, changes);
            }
        }
        catch (ConfigReloadException e)
        {
            LogRefused(logger, e.Message);
        }
    }

    [LoggerMessage(LogLevel.Information, "Configuration reloaded on another replica's request: {Changes}")]
    private static partial void LogReloaded(ILogger logger, string changes);

    [LoggerMessage(LogLevel.Information, "Configuration reloaded for a request another replica sent while this one was not listening: {Changes}")]
    private static partial void LogReloadedAfterOutage(ILogger logger, string changes);

    [LoggerMessage(LogLevel.Warning, "Another replica asked for a configuration reload, but this replica's new configuration is invalid and was not applied: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Warning, "Reloaded here, but could not ask the other replicas to reload ({Reason}): call them directly")]
    private static partial void LogNotSent(ILogger logger, string reason);
}
