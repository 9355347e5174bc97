using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Brokkr.Broker.Startup;

/// <summary>
/// Applies the migrations once across any number of brokers starting together on one database. EF Core's own
/// migration lock is released between migrations, so a second broker can work from the list of pending migrations it
/// read before the first applied them and fail with "relation already exists". A PostgreSQL session advisory lock,
/// held on one connection across the whole run, makes the others wait; they then find nothing pending. The lock goes
/// with the connection, so a broker killed mid-migration cannot leave it held.
/// </summary>
internal static partial class ExclusiveMigration
{
    // Any fixed key will do, as long as every broker version uses the same one: "brokkrMG" in ASCII.
    private const long LockKey = 0x62726F6B6B724D47;

    public static async Task MigrateAsync(DatabaseFacade database, ILogger logger, CancellationToken cancellationToken)
    {
        await database.OpenConnectionAsync(cancellationToken);
        try
        {
            if (!await TryLockAsync(database, cancellationToken))
            {
                LogWaiting(logger);
                await database.ExecuteSqlAsync($"SELECT pg_advisory_lock({LockKey})", cancellationToken);
            }
            try
            {
                await database.MigrateAsync(cancellationToken);
            }
            finally
            {
                await database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
            }
        }
        finally
        {
            await database.CloseConnectionAsync();
        }
    }

    private static async Task<bool> TryLockAsync(DatabaseFacade database, CancellationToken cancellationToken) =>
        await database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({LockKey}) AS \"Value\"").SingleAsync(cancellationToken);

    [LoggerMessage(LogLevel.Information, "Another broker is migrating the database; waiting for it to finish")]
    private static partial void LogWaiting(ILogger logger);
}
