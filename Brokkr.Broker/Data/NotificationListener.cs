using Brokkr.Broker.Metrics;
using Brokkr.Broker.AgentChannel;
using Brokkr.Broker.Authentication;
using Brokkr.Broker.Configuration;
using Npgsql;

namespace Brokkr.Broker.Data;

/// <summary>
/// The replica's one listening connection to PostgreSQL, for every notification channel the broker uses:
/// <see cref="PakRevocations.Channel"/> (evict the revoked hash from the auth cache and close the agent channels opened
/// with it), <see cref="ChangeFanOut.Channel"/> (pushes to agent channels), <see cref="ConfigReloadFanOut.Channel"/>
/// (other replicas' reloads) and the live tails' telemetry notices. The auth cache serves only while this connection
/// is up (<see cref="AuthCache.Resume"/>): once it drops, revocations could be missed, so the cache is suspended and
/// emptied until the listener is back — requests are then verified against the database, which is slower but never
/// accepts a revoked PAK.
/// </summary>
public sealed partial class NotificationListener(
    [FromKeyedServices(NotificationListener.DataSourceKey)] NpgsqlDataSource dataSource, AuthCache cache, PakRevocations revocations, ChangeFanOut changes,
    StackTelemetry.LiveTailFanOut liveTails, ConfigReloadFanOut reloads, DatabaseMetrics metrics,
    ILogger<NotificationListener> logger)
    : IHostedService, IAsyncDisposable
{
    public const string ApplicationName = "brokkr-listener";
    public const string DataSourceKey = "listener";

    /// <summary>
    /// The listener's own data source: LISTEN is session state, and pooled connections are not reset when they go
    /// back to the pool (No Reset On Close), so this connection never joins the pool. Its application name lets
    /// operators (and tests) tell it from pooled connections in pg_stat_activity.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString) =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = ApplicationName });

    // How long to wait for a notification before checking that the connection is still alive.
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stopping = new();
    private Task _listening = Task.CompletedTask;
    private bool _lost; // logged once per outage, not once per reconnect attempt

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Listens even with the auth cache off: the agent channel's change notifications come this way too.
        // The first connection is made before the broker serves, so its cache works from the first request.
        NpgsqlConnection? first = null;
        try
        {
            first = await ListenAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            Lost(e);
        }
        _listening = Task.Run(() => RunAsync(first, _stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _listening.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _listening.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task RunAsync(NpgsqlConnection? connection, CancellationToken stopping)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                connection ??= await ListenAsync(stopping);
                delay = TimeSpan.FromSeconds(1);
                while (!stopping.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(KeepAliveInterval, stopping))
                    {
                        // No notification for a while: a round trip tells a quiet connection from a dead one.
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteScalarAsync(metrics, stopping);
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                Lost(e);
            }
            finally
            {
                if (connection is not null)
                {
                    connection.Notification -= OnNotification;
                    await connection.DisposeAsync();
                    connection = null;
                }
            }
            await Task.Delay(delay, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
        }
        cache.Suspend();
    }

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            connection.Notification += OnNotification;
            await using (var listen = new NpgsqlCommand($"LISTEN {PakRevocations.Channel}; LISTEN {ChangeFanOut.Channel}; " +
                $"LISTEN {StackTelemetry.TelemetryNotice.Channel}; LISTEN {ConfigReloadFanOut.Channel}", connection))
            {
                await listen.ExecuteNonQueryAsync(metrics, cancellationToken);
            }
            // Read after LISTEN: a reload requested from here on arrives as a notice, one requested before shows here.
            await using (var generation = new NpgsqlCommand(ConfigReloadFanOut.GenerationSql, connection))
            {
                reloads.Resume((long)(await generation.ExecuteScalarAsync(metrics, cancellationToken))!);
            }
            // Listening from here on; whatever was revoked before is not in the (empty) cache.
            cache.Resume();
            if (_lost)
            {
                LogListening(logger);
                _lost = false;
                changes.Resync();
            }
            return connection;
        }
        catch
        {
            connection.Notification -= OnNotification;
            await connection.DisposeAsync();
            throw;
        }
    }

    private void Lost(Exception e)
    {
        cache.Suspend();
        if (!_lost)
        {
            LogLost(logger, e.Message);
            _lost = true;
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel == ChangeFanOut.Channel)
        {
            changes.Notify(e.Payload);
        }
        else if (e.Channel == StackTelemetry.TelemetryNotice.Channel)
        {
            liveTails.Notify(e.Payload);
        }
        else if (e.Channel == ConfigReloadFanOut.Channel)
        {
            reloads.Notify(e.Payload);
        }
        else
        {
            revocations.Revoked(e.Payload);
        }
    }

    [LoggerMessage(LogLevel.Information, "Listening for database notifications again; the auth cache is back on")]
    private static partial void LogListening(ILogger logger);

    [LoggerMessage(LogLevel.Warning, "Lost the database notification listener ({Reason}); every request is verified against the database until it reconnects")]
    private static partial void LogLost(ILogger logger, string reason);
}
