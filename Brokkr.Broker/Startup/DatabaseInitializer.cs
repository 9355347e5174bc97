using Brokkr.Broker.Authentication;
using Brokkr.Broker.Configuration;
using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Startup;

/// <summary>
/// Runs before Kestrel accepts requests: applies migrations (unless <c>broker.migrate_on_startup = false</c>), then
/// the admin bootstrap of spec §2.6. A database that cannot be reached fails startup, as upstream does: the
/// orchestrator restarts the broker, and a half-initialised broker never serves.
/// </summary>
public sealed class DatabaseInitializer(
    IServiceScopeFactory scopes, IOptions<BrokerOptions> options, IConfiguration configuration, PakFormat paks,
    DefaultAdminKeyMonitor monitor, ILogger<DatabaseInitializer> logger) : IHostedService
{
    private string? _writtenKeyFile;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BrokkrDbContext>();
        if (options.Value.MigrateOnStartup)
        {
            await ExclusiveMigration.MigrateAsync(db.Database, logger, cancellationToken);
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // Serialises the first-run check between replicas starting at the same time.
            await db.Database.ExecuteSqlRawAsync("LOCK TABLE app_initialization IN EXCLUSIVE MODE", cancellationToken);
            if (!await db.AppInitializations.AnyAsync(cancellationToken))
            {
                db.AppInitializations.Add(new AppInitialization());
                await UpsertAdminAsync(db, cancellationToken);
            }
            else
            {
                await WarnIfConfiguredHashIsIgnoredAsync(db, cancellationToken);
            }
            await ProvisionSystemGeneratorAsync(db, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await monitor.CheckAsync(db, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_writtenKeyFile is not null)
        {
            File.Delete(_writtenKeyFile);
        }
        return Task.CompletedTask;
    }

    private async Task UpsertAdminAsync(BrokkrDbContext db, CancellationToken cancellationToken)
    {
        if (AdminKey.ConfiguredHash(options.Value) is not { } hash)
        {
            var pak = paks.Mint();
            hash = pak.Hash;
            WriteKeyFile(pak.Plaintext);
        }

        await AdminKey.StageAsync(db, hash, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Spec §2.6 step 2: after the first start <c>broker.pak_hash</c> is ignored. An operator who sets it later (to
    /// replace the development key, say) is told so — when it is set explicitly and differs from the stored admin
    /// hash — instead of finding out from a 401. The hash itself is not logged.
    /// </summary>
    private async Task WarnIfConfiguredHashIsIgnoredAsync(BrokkrDbContext db, CancellationToken cancellationToken)
    {
        var configured = configuration[$"{BrokerOptions.Section}:pak_hash"]?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(configured))
        {
            return;
        }
        var stored = await db.AdminRoles.Select(a => a.PakHash).ToListAsync(cancellationToken);
        if (!stored.Any(h => PakFormat.HashesEqual(h, configured)))
        {
            logger.LogWarning(
                "broker.pak_hash (BROKKR__BROKER__PAK_HASH) is set but ignored: this database's admin key was set up on " +
                "an earlier start, and the setting only applies to the first one. Rotate the admin key to change it");
        }
    }

    private async Task ProvisionSystemGeneratorAsync(BrokkrDbContext db, CancellationToken cancellationToken)
    {
        if (await db.LiveGenerators().AnyAsync(g => g.IsSystem, cancellationToken))
        {
            return;
        }
        var system = new Generator
        {
            Id = Guid.CreateVersion7(),
            Name = "__system__",
            Description = "System generator — reserved for fleet-management stacks",
            IsSystem = true,
        };
        db.Generators.Add(system);
        await db.SaveChangesAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO agent_generator_registrations (id, agent_id, generator_id)
            SELECT gen_random_uuid(), a.id, {system.Id} FROM agents a
            ON CONFLICT DO NOTHING
            """, cancellationToken);
    }

    private void WriteKeyFile(string pak)
    {
        var path = options.Value.AdminKeyFile;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, pak + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        _writtenKeyFile = path;
        logger.LogWarning("Minted a new admin PAK on first start and wrote it to {KeyFile}; copy it somewhere safe, the file is removed on shutdown", path);
    }
}
