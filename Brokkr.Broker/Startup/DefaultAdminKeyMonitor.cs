using Brokkr.Broker.Authentication;
using Brokkr.Broker.Configuration;
using Brokkr.Broker.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Brokkr.Broker.Startup;

/// <summary>
/// Spec §2.6 step 3: while the public development admin PAK is accepted, say so loudly — at startup and every hour —
/// and report it through <see cref="DefaultKeyInUse"/>, which <c>brokkr_default_admin_pak_hash_in_use</c> exports.
/// </summary>
public sealed class DefaultAdminKeyMonitor : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    private readonly IServiceScopeFactory _scopes;
    private readonly IOptions<BrokerOptions> _options;
    private readonly ILogger<DefaultAdminKeyMonitor> _logger;
    private volatile bool _inUse;

    public DefaultAdminKeyMonitor(IServiceScopeFactory scopes, IOptions<BrokerOptions> options, ILogger<DefaultAdminKeyMonitor> logger)
    {
        _scopes = scopes;
        _options = options;
        _logger = logger;
    }

    public bool DefaultKeyInUse => _inUse;

    public async Task CheckAsync(BrokkrDbContext db, CancellationToken cancellationToken)
    {
        var stored = await db.AdminRoles.Select(a => a.PakHash).ToListAsync(cancellationToken);
        _inUse = stored.Any(h => PakFormat.HashesEqual(h, BrokerOptions.DevelopmentAdminPakHash)) ||
                 PakFormat.HashesEqual(_options.Value.PakHash?.Trim().ToLowerInvariant(), BrokerOptions.DevelopmentAdminPakHash);
        if (_inUse)
        {
            _logger.LogWarning(
                "SECURITY WARNING: the broker accepts the PUBLIC DEVELOPMENT ADMIN PAK. Anyone can administer this broker. " +
                "Set BROKKR__BROKER__PAK_HASH before the first start (or rotate the admin key) for any real deployment.");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = _scopes.CreateAsyncScope();
                await CheckAsync(scope.ServiceProvider.GetRequiredService<BrokkrDbContext>(), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning(e, "Could not check whether the development admin PAK is in use");
            }
        }
    }
}
